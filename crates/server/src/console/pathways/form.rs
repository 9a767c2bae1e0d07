//! The pathway editor's form: what the page shows (one list of badges to tick and a rule per
//! group), and reading what was posted back into a pathway.

use laurel_service::pathways::{DEFAULT_INVITATION_BODY, Group, OutcomeName, PathwayInput, Step};
use uuid::Uuid;

/// The form's group fields: the top list (`g0`) and up to this many groups.
pub(super) const GROUPS: [&str; 13] = [
    "g0", "g1", "g2", "g3", "g4", "g5", "g6", "g7", "g8", "g9", "g10", "g11", "g12",
];

/// One badge to tick.
pub(super) struct Tick {
    pub(super) id: Uuid,
    pub(super) name: String,
    pub(super) checked: bool,
}

/// One group of the form (the top list is group 0).
pub(super) struct GroupForm {
    /// Its field prefix (`g0`, `g1`, …), also where its mistakes are shown.
    pub(super) field: &'static str,
    /// Its number for people (0: the top list).
    pub(super) number: usize,
    pub(super) title: String,
    /// "all" or "at_least".
    pub(super) rule: String,
    /// The number for "at least".
    pub(super) n: String,
    pub(super) badges: Vec<Tick>,
}

/// What was typed (or is stored), as the form shows it.
pub(super) struct PathwayForm {
    pub(super) invite: bool,
    pub(super) groups: Vec<GroupForm>,
    pub(super) subject: String,
    pub(super) body: String,
}

/// The pathway the form describes, and the mistakes found reading it (placed at the group's
/// number on the page shown again: groups left empty are dropped, the others renumbered).
pub(super) fn read_form(pairs: &[(String, String)]) -> (PathwayInput, Vec<(&'static str, String)>) {
    let value = |name: String| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let ticked = |field: &str| -> Vec<Step> {
        let name = format!("{field}_badge");
        pairs
            .iter()
            .filter(|(k, _)| *k == name)
            .filter_map(|(_, v)| Uuid::parse_str(v).ok())
            .map(Step::badge)
            .collect()
    };
    let mut mistakes = Vec::new();
    let mut rule_of = |field: &'static str, rule: &str, n: &str, count: usize| -> Option<u32> {
        if rule != "at_least" {
            return None;
        }
        match n.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                mistakes.push((
                    field,
                    format!(
                        "Write how many are needed: a number from 1 to {}.",
                        count.max(1)
                    ),
                ));
                Some(0)
            }
        }
    };
    let mut steps = ticked("g0");
    let mut shown = 0;
    for field in GROUPS.iter().skip(1) {
        let badges = ticked(field);
        if badges.is_empty() {
            continue;
        }
        shown += 1;
        let title = value(format!("{field}_title"));
        let rule = value(format!("{field}_rule"));
        let n = value(format!("{field}_n"));
        let at_least = rule_of(GROUPS[shown], &rule, &n, badges.len());
        steps.push(Step::group(Group {
            title: (!title.is_empty()).then_some(title),
            at_least,
            steps: badges,
        }));
    }
    let (rule, n) = (value("g0_rule".into()), value("g0_n".into()));
    let at_least = rule_of("g0", &rule, &n, steps.len());
    let invite = value("outcome".into()) == "invite";
    let text = |name: &str| Some(value(name.into())).filter(|v| !v.is_empty());
    let input = PathwayInput {
        outcome: if invite {
            OutcomeName::Invite
        } else {
            OutcomeName::Award
        },
        rule: Group {
            title: None,
            at_least,
            steps,
        },
        invitation_subject: text("invitation_subject"),
        invitation_body: text("invitation_body"),
    };
    (input, mistakes)
}

/// The form's groups for a pathway (stored or typed), plus one empty group to add.
pub(super) fn form_of(input: Option<&PathwayInput>, choices: &[(Uuid, String)]) -> PathwayForm {
    let ticks = |held: &[Uuid]| -> Vec<Tick> {
        choices
            .iter()
            .map(|(id, name)| Tick {
                id: *id,
                name: name.clone(),
                checked: held.contains(id),
            })
            .collect()
    };
    let group_form = |number: usize, group: Option<&Group>| -> GroupForm {
        let field = GROUPS[number];
        let held: Vec<Uuid> = group
            .map(|g| g.steps.iter().filter_map(|s| s.achievement_id).collect())
            .unwrap_or_default();
        GroupForm {
            field,
            number,
            title: group.and_then(|g| g.title.clone()).unwrap_or_default(),
            rule: match group.and_then(|g| g.at_least) {
                Some(_) => "at_least".into(),
                None => "all".into(),
            },
            n: group
                .and_then(|g| g.at_least)
                .filter(|n| *n > 0)
                .map(|n| n.to_string())
                .unwrap_or_default(),
            badges: ticks(&held),
        }
    };
    let mut groups = Vec::new();
    let top = input.map(|i| &i.rule);
    groups.push(group_form(0, top));
    let inner: Vec<&Group> = top
        .map(|g| g.steps.iter().filter_map(|s| s.group.as_deref()).collect())
        .unwrap_or_default();
    for (i, group) in inner.iter().enumerate().take(GROUPS.len() - 2) {
        groups.push(group_form(i + 1, Some(*group)));
    }
    let next = groups.len();
    if next < GROUPS.len() {
        groups.push(group_form(next, None));
    }
    PathwayForm {
        invite: input.is_some_and(|i| i.outcome == OutcomeName::Invite),
        groups,
        subject: input
            .and_then(|i| i.invitation_subject.clone())
            .unwrap_or_default(),
        body: input
            .and_then(|i| i.invitation_body.clone())
            .unwrap_or_else(|| DEFAULT_INVITATION_BODY.to_string()),
    }
}
