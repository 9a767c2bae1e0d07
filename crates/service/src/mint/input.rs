//! What a client may ask for in an award, checked before anything is signed: the email
//! (normalized), bounded free text, evidence, activity dates, a result, credits earned and a
//! role.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use laurel_core::model::{AchievementResult, Evidence, check_role, is_http_iri, normalize_email};
use serde::Deserialize;

/// The most evidence entries one award may carry.
pub const MAX_EVIDENCE: usize = 20;
/// The longest free text (narratives, names, descriptions) an award accepts, in bytes.
pub const MAX_TEXT: usize = 10_000;

/// One award as a client asks for it (a row of a batch, or the whole body).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AwardInput {
    /// The recipient's email (normalized: trimmed, lowercased); only its salted hash is
    /// published.
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub email: String,
    /// The recipient's name: signed into the credential as a `name` identity when the issuer
    /// includes names (the default) and `include_name` is not false; always kept for staff.
    #[serde(default)]
    pub name: Option<String>,
    /// `false` leaves the name out of this credential whatever the issuer's setting; `true`
    /// or absent follows the issuer's setting.
    #[serde(default)]
    pub include_name: Option<bool>,
    /// How the recipient earned it (Markdown), published in the credential.
    #[serde(default)]
    pub narrative: Option<String>,
    /// Evidence, published in the credential.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub evidence: Vec<EvidenceInput>,
    /// When the activity started (RFC 3339 date-time, or a date `YYYY-MM-DD`).
    #[serde(default)]
    pub activity_start_date: Option<String>,
    /// When the activity ended (RFC 3339 date-time, or a date `YYYY-MM-DD`).
    #[serde(default)]
    pub activity_end_date: Option<String>,
    /// The outcome, published as `credentialSubject.result`.
    #[serde(default)]
    pub result: Option<ResultInput>,
    /// Credits earned (≥ 0, at most the achievement's `credits_available` when it has one,
    /// times the largest credit multiplier its award rules give the award's role).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub credits_earned: Option<f64>,
    /// The recipient's role, signed in as `credentialSubject.role`: participant, mentor,
    /// instructor or presenter (any case; signed capitalised, "Presenter"), or the issuer's
    /// own words (trimmed, at most 60 characters, no control characters). Absent or empty:
    /// no role.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 60, example = "Presenter"))]
    pub role: Option<String>,
    /// Whether the recipient is emailed (when the issuer has email settings); default true.
    /// In a batch it is given once, beside `awards`.
    #[serde(default)]
    pub notify: Option<bool>,
}

/// The OB 3.0 `ResultStatusType` values, exactly as the specification spells them.
pub const RESULT_STATUSES: [&str; 7] = [
    "Completed",
    "Enrolled",
    "Failed",
    "InProgress",
    "OnHold",
    "Provisional",
    "Withdrew",
];

/// A result as a client gives it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AwardResultInput))]
#[serde(deny_unknown_fields)]
pub struct ResultInput {
    /// One of [`RESULT_STATUSES`] (an OB 3.0 ResultStatusType).
    #[cfg_attr(feature = "openapi", schema(schema_with = result_status))]
    pub status: String,
    /// The value, e.g. a grade.
    #[serde(default)]
    pub value: Option<String>,
}

/// The schema of [`ResultInput::status`]: one of [`RESULT_STATUSES`].
#[cfg(feature = "openapi")]
fn result_status() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(RESULT_STATUSES))
        .description(Some("An OB 3.0 ResultStatusType"))
        .build()
}

/// One evidence entry as a client gives it. Give at least one of id, narrative, name,
/// description.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Evidence))]
#[serde(deny_unknown_fields)]
pub struct EvidenceInput {
    /// URL of the evidence (`url` is accepted as a synonym).
    #[serde(default, alias = "url")]
    pub id: Option<String>,
    /// What the evidence shows (Markdown).
    #[serde(default)]
    pub narrative: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Short description.
    #[serde(default)]
    pub description: Option<String>,
    /// Kind of evidence, e.g. "Portfolio".
    #[serde(default)]
    pub genre: Option<String>,
    /// Intended audience.
    #[serde(default)]
    pub audience: Option<String>,
}

/// A checked award request: what minting needs.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// Normalized email.
    pub email: String,
    /// Name, if given.
    pub name: Option<String>,
    /// `Some(false)`: the name stays out of the credential whatever the issuer's setting.
    /// `None` or `Some(true)`: the issuer's setting decides (an award cannot publish a name
    /// the issuer chose to keep out).
    pub include_name: Option<bool>,
    /// Narrative, if given.
    pub narrative: Option<String>,
    /// Evidence entries.
    pub evidence: Vec<Evidence>,
    /// `activityStartDate`, as a UTC `Z` date-time.
    pub activity_start_date: Option<String>,
    /// `activityEndDate`, as a UTC `Z` date-time.
    pub activity_end_date: Option<String>,
    /// `result`, if given.
    pub result: Option<AchievementResult>,
    /// `creditsEarned`, if given (checked against the achievement when minting).
    pub credits_earned: Option<f64>,
    /// `role`, checked (see [`laurel_core::model::check_role`]).
    pub role: Option<String>,
    /// When the badge was earned, if before now (an award by rule made after the session):
    /// the credential's `awardedDate`, and so LinkedIn's issue date. `validFrom` stays the
    /// signing time, as OB 3.0 has it (`validFrom` dates this version of the credential,
    /// `awardedDate` the award). `None` (or a time after signing): the signing time.
    pub awarded_date: Option<DateTime<Utc>>,
}

impl AwardInput {
    /// Checks the request; the error is a sentence for the client.
    pub fn check(self) -> Result<Recipient, String> {
        let email = recipient_email(&self.email)?;
        let name = text("name", self.name)?;
        let narrative = text("narrative", self.narrative)?;
        if self.evidence.len() > MAX_EVIDENCE {
            return Err(format!(
                "evidence: at most {MAX_EVIDENCE} entries per award, got {}",
                self.evidence.len()
            ));
        }
        let evidence = self
            .evidence
            .into_iter()
            .enumerate()
            .map(|(index, entry)| entry.check().map_err(|e| format!("evidence[{index}]: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let start = activity_date("activity_start_date", self.activity_start_date)?;
        let end = activity_date("activity_end_date", self.activity_end_date)?;
        if let (Some(start), Some(end)) = (start, end)
            && end < start
        {
            return Err("activity_end_date is before activity_start_date".into());
        }
        let result = self
            .result
            .map(|result| result.check().map_err(|e| format!("result: {e}")))
            .transpose()?;
        if let Some(credits) = self.credits_earned
            && !(credits.is_finite() && credits >= 0.0)
        {
            return Err(format!(
                "credits_earned must be a number ≥ 0, got {credits}"
            ));
        }
        let role = role(self.role.as_deref())?;
        let format = |date: DateTime<Utc>| date.to_rfc3339_opts(SecondsFormat::Secs, true);
        Ok(Recipient {
            email,
            name,
            include_name: self.include_name,
            narrative,
            evidence,
            activity_start_date: start.map(format),
            activity_end_date: end.map(format),
            result,
            credits_earned: self.credits_earned,
            role,
            awarded_date: None,
        })
    }
}

impl Recipient {
    /// Checks `credits_earned` against the achievement's `credits_available`, if it has one,
    /// times `multiplier`: the largest its award rules give this recipient's role (1 when
    /// none does; see `activity::rules::credit_multiplier`).
    pub fn check_credits(
        &self,
        credits_available: Option<f64>,
        multiplier: f64,
    ) -> Result<(), String> {
        match (self.credits_earned, credits_available) {
            (Some(earned), Some(available)) if earned > available * multiplier => {
                if multiplier > 1.0 {
                    Err(format!(
                        "credits_earned ({earned}) is greater than the achievement's credits_available ({available}) times {multiplier}, what its award rules give a {}",
                        self.role.as_deref().unwrap_or("recipient")
                    ))
                } else {
                    Err(format!(
                        "credits_earned ({earned}) is greater than the achievement's credits_available ({available})"
                    ))
                }
            }
            _ => Ok(()),
        }
    }
}

/// Checks a role as a client gives it: the error names the field.
pub fn role(raw: Option<&str>) -> Result<Option<String>, String> {
    match raw {
        None => Ok(None),
        Some(raw) => check_role(raw).map_err(|error| format!("role: {error}")),
    }
}

impl ResultInput {
    fn check(self) -> Result<AchievementResult, String> {
        let status = self.status.trim();
        if !RESULT_STATUSES.contains(&status) {
            return Err(format!(
                "status must be one of {}, got {status:?}",
                RESULT_STATUSES.join(", ")
            ));
        }
        let mut result = AchievementResult::new();
        result.status = Some(status.to_string());
        result.value = text("value", self.value)?;
        Ok(result)
    }
}

impl EvidenceInput {
    fn check(self) -> Result<Evidence, String> {
        if let Some(id) = &self.id
            && !is_http_iri(id)
        {
            return Err(format!(
                "id must be an absolute http(s) address such as https://example.org/portfolio/1 (no spaces, quotes or angle brackets), got {id:?}"
            ));
        }
        let mut evidence = Evidence::new();
        evidence.id = self.id;
        evidence.narrative = text("narrative", self.narrative)?;
        evidence.name = text("name", self.name)?;
        evidence.description = text("description", self.description)?;
        evidence.genre = text("genre", self.genre)?;
        evidence.audience = text("audience", self.audience)?;
        if evidence.id.is_none()
            && evidence.narrative.is_none()
            && evidence.name.is_none()
            && evidence.description.is_none()
        {
            return Err("give at least one of id (a URL), narrative, name or description".into());
        }
        Ok(evidence)
    }
}

/// Normalizes a recipient email (trimmed, lowercased) and checks it is an address.
pub fn recipient_email(raw: &str) -> Result<String, String> {
    let email = normalize_email(raw);
    let bad = |why: &str| Err(format!("email {raw:?} is not a valid address: {why}"));
    if email.is_empty() {
        return Err("email is empty".into());
    }
    if email.len() > 254 {
        return bad("longer than 254 characters");
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return bad("it has no @");
    };
    if local.is_empty() || local.len() > 64 {
        return bad("the part before @ must have 1 to 64 characters");
    }
    if local.contains('@') || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("it contains spaces, control characters or a second @");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return bad("the part before @ has a misplaced dot");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2
        || labels.iter().any(|label| {
            label.is_empty()
                || label.len() > 63
                || label.starts_with('-')
                || label.ends_with('-')
                || !label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
    {
        return bad("the domain must look like example.org");
    }
    Ok(email)
}

/// Trims optional free text; empty becomes absent; too long is an error.
fn text(field: &str, value: Option<String>) -> Result<Option<String>, String> {
    match value.map(|v| v.trim().to_string()) {
        Some(v) if v.len() > MAX_TEXT => Err(format!(
            "{field} is longer than {MAX_TEXT} bytes ({})",
            v.len()
        )),
        Some(v) if v.is_empty() => Ok(None),
        other => Ok(other),
    }
}

/// Parses an activity date: an RFC 3339 date-time (any offset) or a plain date (midnight UTC).
fn activity_date(field: &str, value: Option<String>) -> Result<Option<DateTime<Utc>>, String> {
    let Some(value) = value else { return Ok(None) };
    let value = value.trim();
    if let Ok(date) = DateTime::parse_from_rfc3339(value) {
        return Ok(Some(date.with_timezone(&Utc)));
    }
    if let Ok(date) = NaiveDate::parse_from_str(value, "%Y-%m-%d")
        && let Some(midnight) = date.and_hms_opt(0, 0, 0)
    {
        return Ok(Some(midnight.and_utc()));
    }
    Err(format!(
        "{field} must be a date (2026-03-01) or an RFC 3339 date-time (2026-03-01T09:00:00Z), got {value:?}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::JwtAlgorithm;

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(
            recipient_email("  Zoë.Doe@Example.ORG ").as_deref(),
            Ok("zoë.doe@example.org")
        );
        for bad in [
            "",
            "plain",
            "@example.org",
            "a@",
            "a@b",
            "a b@example.org",
            "a@@example.org",
            "a@-x.org",
            "a@x..org",
            ".a@x.org",
        ] {
            assert!(recipient_email(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn activity_dates_accept_dates_and_datetimes_in_order() {
        let input = |start: &str, end: &str| AwardInput {
            email: "a@example.org".into(),
            name: None,
            include_name: None,
            narrative: None,
            evidence: Vec::new(),
            activity_start_date: Some(start.into()),
            activity_end_date: Some(end.into()),
            result: None,
            credits_earned: None,
            role: None,
            notify: None,
        };
        let ok = input("2026-03-01", "2026-03-01T12:00:00+02:00")
            .check()
            .expect("valid");
        assert_eq!(
            ok.activity_start_date.as_deref(),
            Some("2026-03-01T00:00:00Z")
        );
        assert_eq!(
            ok.activity_end_date.as_deref(),
            Some("2026-03-01T10:00:00Z")
        );
        assert!(input("2026-03-02", "2026-03-01").check().is_err());
        assert!(input("March 1", "2026-03-01").check().is_err());
    }

    #[test]
    fn results_and_credits_are_checked() {
        let input = |status: &str, credits: Option<f64>| AwardInput {
            email: "a@example.org".into(),
            name: None,
            include_name: None,
            narrative: None,
            evidence: Vec::new(),
            activity_start_date: None,
            activity_end_date: None,
            result: Some(ResultInput {
                status: status.into(),
                value: Some(" A ".into()),
            }),
            credits_earned: credits,
            role: None,
            notify: None,
        };
        let ok = input("Completed", Some(2.5)).check().expect("valid");
        let result = ok.result.as_ref().expect("result");
        assert_eq!(result.r#type.as_slice(), ["Result"]);
        assert_eq!(result.status.as_deref(), Some("Completed"));
        assert_eq!(result.value.as_deref(), Some("A"));
        assert!(ok.check_credits(Some(3.0), 1.0).is_ok());
        assert!(ok.check_credits(None, 1.0).is_ok());
        assert!(ok.check_credits(Some(2.0), 1.0).is_err());
        assert!(ok.check_credits(Some(2.0), 1.5).is_ok(), "2.5 ≤ 2 × 1.5");
        let error = input("Done", None).check().expect_err("unknown status");
        assert!(error.contains("Completed, Enrolled"), "{error}");
        assert!(input("Completed", Some(-1.0)).check().is_err());
    }

    #[test]
    fn roles_are_checked_with_the_field_named() {
        let input = |role: &str| AwardInput {
            email: "a@example.org".into(),
            name: None,
            include_name: None,
            narrative: None,
            evidence: Vec::new(),
            activity_start_date: None,
            activity_end_date: None,
            result: None,
            credits_earned: None,
            role: Some(role.into()),
            notify: None,
        };
        let ok = input(" presenter ").check().expect("valid");
        assert_eq!(ok.role.as_deref(), Some("Presenter"));
        assert_eq!(input("").check().expect("valid").role, None);
        let error = input(&"a".repeat(61)).check().expect_err("too long");
        assert!(
            error.starts_with("role: the role is 61 characters"),
            "{error}"
        );
        let error = input("Mentor\r\n").check().expect_err("control");
        assert!(error.contains("control character"), "{error}");
    }

    #[test]
    fn evidence_needs_content_and_a_url_id() {
        let entry = |id: Option<&str>, name: Option<&str>| EvidenceInput {
            id: id.map(str::to_string),
            narrative: None,
            name: name.map(str::to_string),
            description: None,
            genre: None,
            audience: None,
        };
        assert!(entry(None, None).check().is_err());
        assert!(entry(Some("not a url"), None).check().is_err());
        let evidence = entry(Some("https://x.example/e"), Some(" Essay "))
            .check()
            .expect("ok");
        assert_eq!(evidence.name.as_deref(), Some("Essay"));
        assert_eq!(evidence.r#type.as_slice(), ["Evidence"]);
    }

    #[test]
    fn jwt_algorithms_parse_exactly() {
        for name in JwtAlgorithm::NAMES {
            assert_eq!(
                JwtAlgorithm::parse(name).map(JwtAlgorithm::as_str),
                Some(name)
            );
        }
        assert_eq!(JwtAlgorithm::parse("es256"), None);
    }
}
