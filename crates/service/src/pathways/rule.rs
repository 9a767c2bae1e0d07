//! A pathway's rule: groups of steps, "all of" or "at least N of", nested.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How deep groups may nest (the top group is depth 1): a certificate of competency sets of
/// badges is depth 2.
pub const MAX_DEPTH: usize = 4;
/// The most steps one group may have.
pub const MAX_STEPS: usize = 100;
/// The longest group title, in characters.
const MAX_TITLE: usize = 200;

/// A group of steps and how many of them are needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// A name for the group, shown on pages ("Collections competencies").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// How many of the steps are needed; absent: all of them. From 1 to the number of steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<u32>,
    /// The steps: badges of the same issuer, or groups of their own.
    pub steps: Vec<Step>,
}

/// One step: a badge (`achievement_id`) or a nested group (`group`), exactly one of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A badge of the same issuer that must be held (valid: not revoked, suspended or expired).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub achievement_id: Option<Uuid>,
    /// A group of steps with its own rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub group: Option<Box<Group>>,
}

impl Step {
    /// A badge step.
    pub fn badge(id: Uuid) -> Self {
        Step {
            achievement_id: Some(id),
            group: None,
        }
    }

    /// A group step.
    pub fn group(group: Group) -> Self {
        Step {
            achievement_id: None,
            group: Some(Box::new(group)),
        }
    }
}

/// One reason a pathway was refused, and where: `at` is the path of group numbers from the
/// top (empty: the top group, or the pathway as a whole), each 1-based, as the console numbers
/// its groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The group it concerns.
    pub at: Vec<usize>,
    /// It concerns the invitation's template, not a group.
    pub invitation: bool,
    /// What is wrong, in plain words.
    pub message: String,
    /// The unknown badge id it names, if that is the problem (the caller may know better).
    pub unknown: Option<Uuid>,
}

impl Problem {
    fn at(at: &[usize], message: String) -> Self {
        Problem {
            at: at.to_vec(),
            invitation: false,
            message,
            unknown: None,
        }
    }

    /// A problem with the pathway as a whole.
    pub fn top(message: String) -> Self {
        Problem::at(&[], message)
    }

    /// A problem with the invitation's template.
    pub fn invitation(message: String) -> Self {
        Problem {
            invitation: true,
            ..Problem::top(message)
        }
    }

    /// The problem as one sentence, naming its group.
    pub fn sentence(&self) -> String {
        if self.at.is_empty() {
            self.message.clone()
        } else {
            let path: Vec<String> = self.at.iter().map(usize::to_string).collect();
            format!("group {}: {}", path.join("."), self.message)
        }
    }
}

impl Group {
    /// Every badge the rule names, at any depth, each once, in order of appearance.
    pub fn achievements(&self) -> Vec<Uuid> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        self.collect(&mut seen, &mut out);
        out
    }

    fn collect(&self, seen: &mut HashSet<Uuid>, out: &mut Vec<Uuid>) {
        for step in &self.steps {
            if let Some(id) = step.achievement_id
                && seen.insert(id)
            {
                out.push(id);
            }
            if let Some(group) = &step.group {
                group.collect(seen, out);
            }
        }
    }

    /// How many steps are needed.
    pub fn needed(&self) -> usize {
        self.at_least.map_or(self.steps.len(), |n| {
            usize::try_from(n).unwrap_or(usize::MAX)
        })
    }

    /// Whether someone holding `held` (valid badges) completes the group.
    pub fn satisfied(&self, held: &HashSet<Uuid>) -> bool {
        let done = self
            .steps
            .iter()
            .filter(|step| step_done(step, held))
            .count();
        !self.steps.is_empty() && done >= self.needed()
    }

    /// The rule with titles trimmed (blank ones dropped), as stored.
    pub fn trimmed(&self) -> Group {
        Group {
            title: self
                .title
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string),
            at_least: self.at_least,
            steps: self
                .steps
                .iter()
                .map(|step| Step {
                    achievement_id: step.achievement_id,
                    group: step.group.as_ref().map(|g| Box::new(g.trimmed())),
                })
                .collect(),
        }
    }

    /// Every problem with the rule of `owner`'s pathway, given the issuer's badges (`names`).
    pub fn problems(&self, owner: Uuid, names: &HashMap<Uuid, String>) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        self.check(&[], owner, names, &mut seen, &mut problems);
        problems
    }

    fn check(
        &self,
        at: &[usize],
        owner: Uuid,
        names: &HashMap<Uuid, String>,
        seen: &mut HashSet<Uuid>,
        problems: &mut Vec<Problem>,
    ) {
        let mut say = |message: String| problems.push(Problem::at(at, message));
        if at.len() >= MAX_DEPTH {
            say(format!(
                "groups can be nested at most {} deep; put these badges in the group above",
                MAX_DEPTH - 1
            ));
            return;
        }
        if self
            .title
            .as_deref()
            .is_some_and(|t| t.trim().chars().count() > MAX_TITLE)
        {
            say(format!(
                "the group's name is too long: at most {MAX_TITLE} characters"
            ));
        }
        let count = self.steps.len();
        if count == 0 {
            say("pick at least one badge (or add a group) for this step".into());
        } else if count > MAX_STEPS {
            say(format!(
                "at most {MAX_STEPS} steps per group; this one has {count}"
            ));
        }
        match self.at_least {
            Some(0) => say("\"at least\" needs a number from 1 up".into()),
            Some(n) if count > 0 && n as usize > count => say(format!(
                "at least {n} of {count} is more than the group has: choose a number from 1 to \
                 {count}"
            )),
            _ => {}
        }
        let mut group_number = 0;
        for step in &self.steps {
            match (&step.achievement_id, &step.group) {
                (Some(_), Some(_)) | (None, None) => problems.push(Problem::at(
                    at,
                    "each step is either one badge or a group, not both or neither".into(),
                )),
                (Some(id), None) => {
                    let message = if *id == owner {
                        Some("a badge cannot be a step on its own pathway".to_string())
                    } else if !names.contains_key(id) {
                        Some(format!("there is no badge with id {id}"))
                    } else if !seen.insert(*id) {
                        Some(format!(
                            "\"{}\" is named twice in this pathway; name each badge once",
                            names[id]
                        ))
                    } else {
                        None
                    };
                    if let Some(message) = message {
                        let mut problem = Problem::at(at, message);
                        if *id != owner && !names.contains_key(id) {
                            problem.unknown = Some(*id);
                        }
                        problems.push(problem);
                    }
                }
                (None, Some(group)) => {
                    group_number += 1;
                    let mut inner = at.to_vec();
                    inner.push(group_number);
                    group.check(&inner, owner, names, seen, problems);
                }
            }
        }
    }

    /// The rule in plain words: "all of: A, B and C", "at least 2 of: …", groups in
    /// parentheses, named when they have a title.
    pub fn in_words(&self, names: &HashMap<Uuid, String>) -> String {
        let parts: Vec<String> = self
            .steps
            .iter()
            .map(|step| match (&step.achievement_id, &step.group) {
                (Some(id), _) => names
                    .get(id)
                    .map_or_else(|| format!("badge {id}"), |n| format!("\"{n}\"")),
                (None, Some(group)) => {
                    let words = group.in_words(names);
                    match &group.title {
                        Some(title) => format!("{title} ({words})"),
                        None => format!("({words})"),
                    }
                }
                (None, None) => String::new(),
            })
            .collect();
        format!("{}: {}", self.quantifier(), list(&parts))
    }

    /// "all of" or "at least N of" (or "any one of" for at least 1).
    pub fn quantifier(&self) -> String {
        match self.at_least {
            Some(n) if (n as usize) < self.steps.len() => {
                if n == 1 {
                    "any one of".into()
                } else {
                    format!("at least {n} of")
                }
            }
            _ => "all of".into(),
        }
    }
}

/// Whether a step is done for someone holding `held`.
pub(super) fn step_done(step: &Step, held: &HashSet<Uuid>) -> bool {
    match (&step.achievement_id, &step.group) {
        (Some(id), _) => held.contains(id),
        (None, Some(group)) => group.satisfied(held),
        (None, None) => false,
    }
}

/// "A", "A and B", "A, B and C".
fn list(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<Uuid> {
        (0..n).map(|_| Uuid::new_v4()).collect()
    }

    #[test]
    fn all_of_at_least_and_nested_groups() {
        let b = ids(5);
        let all = Group {
            title: None,
            at_least: None,
            steps: b[..3].iter().map(|id| Step::badge(*id)).collect(),
        };
        let two_of = Group {
            title: Some("Electives".into()),
            at_least: Some(2),
            steps: b[2..].iter().map(|id| Step::badge(*id)).collect(),
        };
        let held = |list: &[Uuid]| list.iter().copied().collect::<HashSet<_>>();
        assert!(all.satisfied(&held(&b[..3])));
        assert!(!all.satisfied(&held(&b[..2])));
        assert!(two_of.satisfied(&held(&[b[2], b[4]])));
        assert!(!two_of.satisfied(&held(&[b[4]])));
        let nested = Group {
            title: None,
            at_least: None,
            steps: vec![Step::badge(b[0]), Step::group(two_of)],
        };
        assert!(nested.satisfied(&held(&[b[0], b[3], b[4]])));
        assert!(!nested.satisfied(&held(&[b[3], b[4]])));
        assert!(!nested.satisfied(&held(&[b[0], b[4]])));
        let names: HashMap<Uuid, String> = b
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, format!("B{i}")))
            .collect();
        assert_eq!(
            nested.in_words(&names),
            "all of: \"B0\" and Electives (at least 2 of: \"B2\", \"B3\" and \"B4\")"
        );
    }

    #[test]
    fn problems_are_placed_at_their_group() {
        let b = ids(3);
        let owner = Uuid::new_v4();
        let names: HashMap<Uuid, String> = b[..2]
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, format!("B{i}")))
            .collect();
        let rule = Group {
            title: None,
            at_least: Some(3),
            steps: vec![
                Step::badge(b[0]),
                Step::group(Group {
                    title: None,
                    at_least: Some(0),
                    steps: vec![Step::badge(b[0]), Step::badge(b[2]), Step::badge(owner)],
                }),
            ],
        };
        let problems = rule.problems(owner, &names);
        let sentences: Vec<String> = problems.iter().map(Problem::sentence).collect();
        assert_eq!(
            sentences,
            vec![
                "at least 3 of 2 is more than the group has: choose a number from 1 to 2"
                    .to_string(),
                "group 1: \"at least\" needs a number from 1 up".into(),
                "group 1: \"B0\" is named twice in this pathway; name each badge once".into(),
                format!("group 1: there is no badge with id {}", b[2]),
                "group 1: a badge cannot be a step on its own pathway".into(),
            ]
        );
        assert_eq!(problems[3].unknown, Some(b[2]));
    }
}
