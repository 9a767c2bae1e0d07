//! The result of a verification: each step's outcome, and the verdict they add up to.

use serde::Serialize;

use crate::input::Container;
use crate::keys::KeySource;
use crate::trust::Trust;

/// How one step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = VerificationStepOutcome))]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Checked and fine.
    Passed,
    /// Checked and failed: the credential is invalid.
    Failed,
    /// Could not be checked (missing key, status list offline, unsupported feature).
    CouldNotCheck,
    /// Not applicable, or not asked for.
    Skipped,
    /// Checked, and worth knowing, but not about the credential itself: an endorsement inside
    /// it that does not verify or has expired. Does not change the verdict.
    Warning,
}

/// The overall answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = VerificationVerdict))]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every step that applies passed.
    Valid,
    /// A step failed.
    Invalid,
    /// No step failed, but at least one could not be checked.
    CouldNotCheck,
}

impl Verdict {
    /// The process exit code: 0 valid, 1 invalid, 2 could not check.
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Valid => 0,
            Verdict::Invalid => 1,
            Verdict::CouldNotCheck => 2,
        }
    }

    /// Upper-case label for people.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Valid => "VALID",
            Verdict::Invalid => "INVALID",
            Verdict::CouldNotCheck => "COULD NOT CHECK",
        }
    }
}

/// One step of the verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = VerificationStep))]
pub struct Step {
    /// Its name: parse, context, schema, proof, status, dates, recipient, endorsements.
    pub name: &'static str,
    /// How it ended.
    pub outcome: Outcome,
    /// What was found, in plain language.
    pub detail: String,
}

/// How the signing key was tied to the issuer (see the key-binding rules in the README).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = KeyBinding))]
#[serde(tag = "by", content = "where", rename_all = "kebab-case")]
pub enum Binding {
    /// The issuer is a did:key, and this is its key.
    DidKey,
    /// The user pinned the key (`--keys FILE`).
    Pinned(String),
    /// A trust list names it as the issuer's (`--trust`, or the hosting service's store).
    Listed(String),
    /// The issuer publishes it at its own address.
    Published(String),
}

impl Binding {
    /// The binding a key source gives, if it gives one.
    pub fn of(source: &KeySource) -> Option<Self> {
        match source {
            KeySource::DidKey => Some(Binding::DidKey),
            KeySource::Pinned(file) => Some(Binding::Pinned(file.clone())),
            KeySource::Listed(list) => Some(Binding::Listed(list.clone())),
            KeySource::Published(url) => Some(Binding::Published(url.clone())),
            KeySource::SelfAsserted => None,
        }
    }
}

/// Who issued the credential, and whether the user trusts them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = VerificationIssuer))]
pub struct IssuerReport {
    /// The issuer id.
    pub id: String,
    /// The issuer's name, as the credential states it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How the signing key was found (`None` when no proof verified).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// How the signing key is tied to the issuer (`None` unless every proof verified with a
    /// key bound to the issuer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound_by: Option<Binding>,
    /// Trusted, unknown or impersonated, judged against `--trust`.
    pub trust: Trust,
}

/// Everything the verifier found out about one input.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = VerificationReport))]
pub struct Report {
    /// The overall answer.
    pub verdict: Verdict,
    /// Why, when not valid: the first failing (or uncheckable) step's detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The step that decided a non-valid verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_step: Option<&'static str>,
    /// What the input was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<Container>,
    /// The credential's `id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<String>,
    /// The issuer and its trust.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<IssuerReport>,
    /// The recipient's name as the issuer signed it into the credential (an unhashed `name`
    /// identity), if it carries one. It says who the badge was issued to, not who holds it:
    /// only the `recipient` step (an email checked against the hashed identity) proves that.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_name: Option<String>,
    /// The recipient's role as the issuer signed it (`credentialSubject.role`, such as
    /// "Presenter"), if the credential carries one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_role: Option<String>,
    /// Every step in order.
    pub steps: Vec<Step>,
    /// For a CLR: the report of each credential nested in it, in its order (the
    /// `credentials` step sums them up).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub nested: Vec<Report>,
    /// The endorsements embedded in the credential, each verified as a credential of its own
    /// and reported here, apart from the verdict: a bad endorsement does not make a good badge
    /// invalid. Empty (and left out) when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub endorsements: Vec<EndorsementReport>,
}

/// One endorsement embedded in the credential, and what checking it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = VerificationEndorsement))]
pub struct EndorsementReport {
    /// `valid` when its proof, key binding, schema and dates check and it endorses what it is
    /// attached to; otherwise why not in `reason`.
    pub verdict: Verdict,
    /// Why it is not valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The endorser's id (the endorsement's issuer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endorser_id: Option<String>,
    /// The endorser's name, as the endorsement gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endorser_name: Option<String>,
    /// The id its subject names (what it endorses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endorses: Option<String>,
    /// What it is attached to in the credential: `achievement`, `issuer`, `credential` or
    /// `object`.
    pub attached_to: &'static str,
    /// The endorser's comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Report {
    /// A report for input that could not be read at all.
    pub fn unreadable(reason: String) -> Self {
        Report::from_steps(
            None,
            None,
            None,
            vec![Step {
                name: "parse",
                outcome: Outcome::CouldNotCheck,
                detail: reason,
            }],
        )
    }

    /// Derives the verdict from the steps: invalid if any failed, else could-not-check if any
    /// could not be checked, else valid.
    pub fn from_steps(
        container: Option<Container>,
        credential_id: Option<String>,
        issuer: Option<IssuerReport>,
        steps: Vec<Step>,
    ) -> Self {
        let first = |outcome| steps.iter().find(|step| step.outcome == outcome);
        let (verdict, decider) = match (first(Outcome::Failed), first(Outcome::CouldNotCheck)) {
            (Some(step), _) => (Verdict::Invalid, Some(step)),
            (None, Some(step)) => (Verdict::CouldNotCheck, Some(step)),
            (None, None) => (Verdict::Valid, None),
        };
        let impersonated = issuer
            .as_ref()
            .is_some_and(|issuer| issuer.trust == Trust::Impersonated);
        let (verdict, reason, failed_step) = match decider {
            Some(step) => (verdict, Some(step.detail.clone()), Some(step.name)),
            None if impersonated => (
                Verdict::Invalid,
                Some("the issuer claims to be a trusted issuer but signed with a key that issuer does not use".into()),
                Some("trust"),
            ),
            None => (verdict, None, None),
        };
        Report {
            verdict,
            reason,
            failed_step,
            container,
            credential_id,
            issuer,
            recipient_name: None,
            recipient_role: None,
            steps,
            nested: Vec::new(),
            endorsements: Vec::new(),
        }
    }

    /// The same report with its verdict decided again from its steps (after a caller added or
    /// changed one), keeping everything else it found.
    pub fn redecided(self) -> Self {
        let mut report =
            Report::from_steps(self.container, self.credential_id, self.issuer, self.steps);
        report.recipient_name = self.recipient_name;
        report.endorsements = self.endorsements;
        report
    }

    /// The step with this name, if it ran.
    pub fn step(&self, name: &str) -> Option<&Step> {
        self.steps.iter().find(|step| step.name == name)
    }

    /// A human-readable rendering: a verdict line, then one line per step.
    pub fn to_text(&self, input: &str) -> String {
        let mut text = format!("{input}: {}", self.verdict.label());
        if let (Some(step), Some(reason)) = (self.failed_step, &self.reason) {
            text.push_str(&format!(" ({step}: {reason})"));
        }
        text.push('\n');
        for step in &self.steps {
            let mark = match step.outcome {
                Outcome::Passed => "ok  ",
                Outcome::Failed => "FAIL",
                Outcome::CouldNotCheck => "??  ",
                Outcome::Skipped => "--  ",
                Outcome::Warning => "warn",
            };
            text.push_str(&format!("  {mark} {:<13}{}\n", step.name, step.detail));
        }
        for endorsement in &self.endorsements {
            let by = endorsement
                .endorser_name
                .as_deref()
                .or(endorsement.endorser_id.as_deref())
                .unwrap_or("an unnamed endorser");
            let state = match (&endorsement.verdict, &endorsement.reason) {
                (Verdict::Valid, _) => "verified".to_string(),
                (_, Some(reason)) => format!("NOT verified: {reason}"),
                (_, None) => "NOT verified".to_string(),
            };
            text.push_str(&format!(
                "  endorsement of the {} by {by}: {state}\n",
                endorsement.attached_to
            ));
        }
        if let Some(name) = &self.recipient_name {
            text.push_str(&format!(
                "  issued to: {name} (the name as the issuer wrote it; --recipient EMAIL checks who holds it)\n"
            ));
        }
        if let Some(role) = &self.recipient_role {
            text.push_str(&format!("  role: {role} (as the issuer signed it)\n"));
        }
        if let Some(issuer) = &self.issuer {
            let name = issuer
                .name
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            text.push_str(&format!("  issuer: {}{name}: {}", issuer.id, issuer.trust));
            if let Some(key) = &issuer.key {
                text.push_str(&format!("; key {key}"));
            }
            text.push('\n');
        }
        for (index, report) in self.nested.iter().enumerate() {
            let label = format!(
                "nested credential {} of {}{}",
                index + 1,
                self.nested.len(),
                report
                    .credential_id
                    .as_deref()
                    .map(|id| format!(" ({id})"))
                    .unwrap_or_default()
            );
            for line in report.to_text(&label).lines() {
                text.push_str("    ");
                text.push_str(line);
                text.push('\n');
            }
        }
        text
    }
}
