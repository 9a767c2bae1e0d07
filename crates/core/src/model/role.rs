//! A recipient's role in what they were awarded for (OB 3.0 `AchievementSubject.role`): one of
//! a few roles cohort programmes share, or the issuer's own words.
//!
//! The role is signed into the credential as a plain string, so it is checked once, where it
//! enters (an award, an attendance or completion record, an import), and kept in one form
//! everywhere after: stored, signed, shown and compared alike.
//!
//! # Decisions
//!
//! - The four roles programmes such as ILEAD USA use (participant, mentor, instructor,
//!   presenter) are recognised in any case and in the plural ("PRESENTERS") and written as a
//!   capitalised word ("Presenter"), the shape of the specification's examples ("Intern",
//!   "Captain"). No synonyms are guessed ("speaker" stays "speaker"): the issuer's own words
//!   are signed as written, trimmed and with runs of spaces made one.
//! - At most [`MAX_ROLE_CHARS`] characters: a role is a few words on a certificate line ("as
//!   Student President"), not a narrative. Control characters (a tab or line break pasted
//!   from a spreadsheet cell) are refused rather than silently removed, so what is signed is
//!   what the issuer sees.
//! - Roles compare case-insensitively ([`same_role`]): an award rule "presenters only" counts
//!   "presenter", "Presenter" and "PRESENTERS" alike.

use thiserror::Error;

/// The longest role accepted, in characters.
pub const MAX_ROLE_CHARS: usize = 60;

/// The roles recognised in any case, as they are signed.
pub const KNOWN_ROLES: [&str; 4] = ["Participant", "Mentor", "Instructor", "Presenter"];

/// Why a role cannot be signed; the message is for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RoleError {
    /// Longer than [`MAX_ROLE_CHARS`].
    #[error(
        "the role is {0} characters long; a role is a few words (at most {MAX_ROLE_CHARS} characters), such as Presenter or Student President"
    )]
    TooLong(usize),
    /// Contains a control character (a tab, a line break).
    #[error(
        "the role contains a control character (a tab or line break, perhaps pasted from a spreadsheet cell); give it on one line"
    )]
    Control,
}

/// Checks a role as someone gave it: `None` when it is empty (no role), the signed form
/// otherwise (see the module documentation).
pub fn check_role(raw: &str) -> Result<Option<String>, RoleError> {
    if raw.chars().any(char::is_control) {
        return Err(RoleError::Control);
    }
    let words: Vec<&str> = raw.split_whitespace().collect();
    if words.is_empty() {
        return Ok(None);
    }
    let role = words.join(" ");
    let length = role.chars().count();
    if length > MAX_ROLE_CHARS {
        return Err(RoleError::TooLong(length));
    }
    Ok(Some(known_role(&role).map_or(role, str::to_owned)))
}

/// The known role `role` names (in any case, singular or plural), if any.
pub fn known_role(role: &str) -> Option<&'static str> {
    let lower = role.trim().to_lowercase();
    let singular = lower.strip_suffix('s').unwrap_or(&lower);
    KNOWN_ROLES
        .into_iter()
        .find(|known| known.to_lowercase() == lower || known.to_lowercase() == singular)
}

/// Whether two roles are the same, case aside (both already checked).
pub fn same_role(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_roles_in_any_case_are_capitalised_and_own_words_kept() {
        assert_eq!(check_role(" presenter "), Ok(Some("Presenter".into())));
        assert_eq!(check_role("MENTORS"), Ok(Some("Mentor".into())));
        assert_eq!(
            check_role("  Student   President "),
            Ok(Some("Student President".into()))
        );
        assert_eq!(check_role("speaker"), Ok(Some("speaker".into())));
        assert_eq!(check_role("   "), Ok(None));
        assert!(same_role("Presenter", "PRESENTER"));
        assert!(!same_role("Presenter", "Mentor"));
    }

    #[test]
    fn long_roles_and_control_characters_are_refused() {
        let long = "x".repeat(MAX_ROLE_CHARS + 1);
        assert_eq!(check_role(&long), Err(RoleError::TooLong(61)));
        assert!(
            check_role(&"é".repeat(MAX_ROLE_CHARS)).is_ok(),
            "characters, not bytes"
        );
        assert_eq!(check_role("Pre\tsenter"), Err(RoleError::Control));
        assert_eq!(check_role("Presenter\n"), Err(RoleError::Control));
        let message = RoleError::TooLong(61).to_string();
        assert!(message.contains("at most 60 characters"), "{message}");
    }
}
