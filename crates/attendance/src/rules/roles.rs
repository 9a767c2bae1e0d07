//! Roles in award rules: a rule may count only people with one role ("presenters of this
//! session") and may give some roles more or fewer credits ("presenters earn twice the
//! credits"), as continuing-education programmes do (Montana counts presenters at double
//! credit).
//!
//! # Decisions
//!
//! - A role comes from the records (an attendance row's or a completion's role column); the
//!   rule only reads it. Roles compare case-insensitively and are checked as
//!   `laurel_core::model::check_role` checks any role, so "presenters" in a rule matches
//!   "Presenter" on a sign-in sheet.
//! - Credits by role multiply the achievement's credits, by a number from 0.01 to
//!   [`MAX_CREDIT_TIMES`] kept in hundredths, so rules compare exactly and "2" stays 2. Five
//!   times is more than any practice we know of (double credit is the common case) and low
//!   enough that a slip (20 for 2.0) is refused rather than signed.
//! - What a rule gives someone is decided by their role in the sessions (or completions) the
//!   rule counted: the role they had in most of them, the earliest on a tie. Someone who
//!   presented one webinar of a series and attended the rest earns the series badge as a
//!   participant; a rule "presenters only" counts only the sessions they presented.

use std::collections::BTreeMap;

use laurel_core::model::{check_role, same_role};
use serde::{Serialize, Serializer};

use super::rule::RuleError;

/// The largest credit multiplier a rule may give a role.
pub const MAX_CREDIT_TIMES: f64 = 5.0;

/// The most roles one rule may give credits to.
pub const MAX_ROLE_CREDITS: usize = 10;

/// A credit multiplier, kept in hundredths; written as a number (`2`, `1.5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CreditTimes(u16);

impl CreditTimes {
    /// Once the credits: what a role without an entry earns.
    pub const ONE: CreditTimes = CreditTimes(100);

    /// A multiplier from 0.01 to [`MAX_CREDIT_TIMES`], rounded to hundredths.
    pub fn new(times: f64) -> Result<CreditTimes, RuleError> {
        let hundredths = (times * 100.0).round();
        if !times.is_finite() || hundredths < 1.0 || times > MAX_CREDIT_TIMES {
            return Err(RuleError::CreditTimes(times.to_string()));
        }
        // In 1..=500 by the checks above, so the conversion is exact.
        Ok(CreditTimes(hundredths as u16))
    }

    /// The multiplier as a number.
    pub fn get(self) -> f64 {
        f64::from(self.0) / 100.0
    }

    /// `credits` times this multiplier, rounded to hundredths of a credit.
    pub fn of(self, credits: f64) -> f64 {
        (credits * f64::from(self.0)).round() / 100.0
    }
}

impl Serialize for CreditTimes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.get())
    }
}

/// Who a rule counts, and credits by role. The default counts everyone at the achievement's
/// credits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoleTerms {
    /// Only records with this role count; everyone's when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<String>,
    /// The multiplier of each role given one (by the role as checked).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    role_credits: BTreeMap<String, CreditTimes>,
}

impl RoleTerms {
    /// Terms as a client gives them: `role` (empty: everyone) and multipliers by role.
    pub fn new(
        role: Option<&str>,
        role_credits: &BTreeMap<String, f64>,
    ) -> Result<RoleTerms, RuleError> {
        let checked = |role: &str| check_role(role).map_err(|e| RuleError::Role(e.to_string()));
        let role = match role {
            Some(role) => checked(role)?,
            None => None,
        };
        if role_credits.len() > MAX_ROLE_CREDITS {
            return Err(RuleError::Role(format!(
                "credits can be set for at most {MAX_ROLE_CREDITS} roles in one rule"
            )));
        }
        let mut credits: BTreeMap<String, CreditTimes> = BTreeMap::new();
        for (name, times) in role_credits {
            let Some(name) = checked(name)? else {
                return Err(RuleError::Role(
                    "credits are set for an empty role; name the role, such as Presenter".into(),
                ));
            };
            if credits.keys().any(|known| same_role(known, &name)) {
                return Err(RuleError::Role(format!(
                    "credits are set twice for the role {name}"
                )));
            }
            credits.insert(name, CreditTimes::new(*times)?);
        }
        Ok(RoleTerms {
            role,
            role_credits: credits,
        })
    }

    /// Only records with this role count (`None`: everyone's).
    pub fn role(&self) -> Option<&str> {
        self.role.as_deref()
    }

    /// The roles given credits, with their multipliers.
    pub fn role_credits(&self) -> impl Iterator<Item = (&str, CreditTimes)> {
        self.role_credits
            .iter()
            .map(|(role, times)| (role.as_str(), *times))
    }

    /// Whether a record with `role` counts under these terms.
    pub fn counts(&self, role: Option<&str>) -> bool {
        match (&self.role, role) {
            (None, _) => true,
            (Some(wanted), Some(role)) => same_role(wanted, role),
            (Some(_), None) => false,
        }
    }

    /// The multiplier for someone who earns with `role`: its entry, or once the credits.
    pub fn times_for(&self, role: Option<&str>) -> CreditTimes {
        role.and_then(|role| {
            self.role_credits
                .iter()
                .find(|(known, _)| same_role(known, role))
                .map(|(_, times)| *times)
        })
        .unwrap_or(CreditTimes::ONE)
    }
}

/// The role someone had in most of `roles` (one per counted session or completion, in
/// order), the earliest on a tie; `None` when none has one.
pub(crate) fn usual_role<'a>(roles: impl Iterator<Item = Option<&'a str>>) -> Option<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for role in roles.flatten() {
        match counts.iter_mut().find(|(known, _)| same_role(known, role)) {
            Some((_, count)) => *count += 1,
            None => counts.push((role.to_owned(), 1)),
        }
    }
    let most = counts.iter().map(|(_, count)| *count).max()?;
    counts
        .into_iter()
        .find(|(_, count)| *count == most)
        .map(|(role, _)| role)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credits(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(r, t)| ((*r).to_owned(), *t)).collect()
    }

    #[test]
    fn terms_are_checked_and_matched_in_any_case() {
        let terms =
            RoleTerms::new(Some("presenters"), &credits(&[("PRESENTER", 2.0)])).expect("valid");
        assert_eq!(terms.role(), Some("Presenter"));
        assert!(terms.counts(Some("presenter")));
        assert!(!terms.counts(Some("Mentor")));
        assert!(!terms.counts(None));
        assert_eq!(terms.times_for(Some("Presenter")).get(), 2.0);
        assert_eq!(terms.times_for(Some("Mentor")), CreditTimes::ONE);
        assert_eq!(terms.times_for(None), CreditTimes::ONE);
        assert!(RoleTerms::default().counts(None));
    }

    #[test]
    fn multipliers_outside_the_bounds_and_bad_roles_are_refused() {
        for bad in [0.0, -1.0, 5.01, f64::NAN, 20.0] {
            let error = RoleTerms::new(None, &credits(&[("Presenter", bad)])).expect_err("bad");
            assert!(error.to_string().contains("from 0.01 to 5"), "{error}");
        }
        assert!(RoleTerms::new(None, &credits(&[("Presenter", 5.0)])).is_ok());
        let twice = credits(&[("Presenter", 2.0), ("presenter", 3.0)]);
        assert!(RoleTerms::new(None, &twice).is_err());
        let error = RoleTerms::new(Some("a\tb"), &BTreeMap::new()).expect_err("tab");
        assert!(error.to_string().contains("control character"), "{error}");
        assert!(RoleTerms::new(None, &credits(&[(" ", 2.0)])).is_err());
    }

    #[test]
    fn credits_are_multiplied_in_hundredths() {
        let times = CreditTimes::new(1.5).expect("valid");
        assert_eq!(times.of(1.25), 1.88);
        assert_eq!(CreditTimes::new(2.0).expect("valid").of(1.5), 3.0);
    }

    #[test]
    fn the_usual_role_is_the_most_frequent_then_the_earliest() {
        let roles = [
            Some("Participant"),
            Some("Presenter"),
            Some("presenter"),
            None,
        ];
        assert_eq!(usual_role(roles.into_iter()).as_deref(), Some("Presenter"));
        let tie = [None, Some("Mentor"), Some("Participant")];
        assert_eq!(usual_role(tie.into_iter()).as_deref(), Some("Mentor"));
        assert_eq!(usual_role([None, None].into_iter()), None);
    }
}
