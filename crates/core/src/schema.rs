//! The 1EdTech Open Badges 3.0 (and CLR 2.0) JSON Schemas, compiled in and checked with `format` on.
//!
//! JSON Schema 2019-09 leaves `format` as an annotation unless asked, so a credential with
//! `"validFrom": "yesterday"` would pass a default validator. We turn format checks on and
//! report every violation with its JSON path so a user can find the field.
//!
//! The schemas are compiled into Rust when Laurel is built (`jsonschema`'s `validator` macro),
//! not when a process first needs them: compiling the achievement credential schema at run time
//! was 35 M of the 51 M instructions `laurel-verify` spent on one file, 31 M of them building
//! the 2019-09 meta-schema's validator to check our own bundled schema.

use serde_json::Value;

/// The validators generated from the bundled schemas (paths from this crate's manifest).
mod generated {
    #[jsonschema::validator(
        path = "../../schemas/achievementcredential.json",
        validate_formats = true
    )]
    pub(super) struct AchievementCredential;

    #[jsonschema::validator(
        path = "../../schemas/endorsementcredential.json",
        validate_formats = true
    )]
    pub(super) struct EndorsementCredential;

    #[jsonschema::validator(path = "../../schemas/profile.json", validate_formats = true)]
    pub(super) struct Profile;

    #[jsonschema::validator(path = "../../schemas/clrcredential.json", validate_formats = true)]
    pub(super) struct ClrCredential;
}

/// Which schema to check against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// `ob_v3p0_achievementcredential_schema.json`: OpenBadgeCredential / AchievementCredential.
    AchievementCredential,
    /// `ob_v3p0_endorsementcredential_schema.json`.
    EndorsementCredential,
    /// `ob_v3p0_profile_schema.json`.
    Profile,
    /// `clr_v2p0_clrcredential_schema.json`: a CLR 2.0 ClrCredential.
    ClrCredential,
}

/// The `credentialSchema` id Laurel writes into the credentials it issues.
pub const ACHIEVEMENT_CREDENTIAL_SCHEMA_ID: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";
/// The `credentialSchema` id of endorsement credentials.
pub const ENDORSEMENT_CREDENTIAL_SCHEMA_ID: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json";

/// One way a document breaks a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaViolation {
    /// JSON Pointer to the offending value (`""` for the whole document).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for SchemaViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        write!(f, "{path}: {}", self.message)
    }
}

impl Schema {
    /// The schema a `credentialSchema` id names, if it is one of ours.
    pub fn by_id(id: &str) -> Option<Schema> {
        match id {
            ACHIEVEMENT_CREDENTIAL_SCHEMA_ID
            | "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_anyachievementcredential_schema.json"
            | "https://purl.imsglobal.org/spec/ob/v3p0/schema/achievementcredential.json" => {
                Some(Schema::AchievementCredential)
            }
            ENDORSEMENT_CREDENTIAL_SCHEMA_ID
            | "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_anyendorsementcredential_schema.json"
            | "https://purl.imsglobal.org/spec/ob/v3p0/schema/endorsementcredential.json" => {
                Some(Schema::EndorsementCredential)
            }
            "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json" => {
                Some(Schema::ClrCredential)
            }
            _ => None,
        }
    }

    /// Every violation of this schema in `document`; empty when it conforms.
    pub fn validate(self, document: &Value) -> Vec<SchemaViolation> {
        // `$body` with `V` naming this schema's generated validator.
        macro_rules! with_validator {
            ($body:expr) => {
                match self {
                    Schema::AchievementCredential => {
                        use generated::AchievementCredential as V;
                        $body
                    }
                    Schema::EndorsementCredential => {
                        use generated::EndorsementCredential as V;
                        $body
                    }
                    Schema::Profile => {
                        use generated::Profile as V;
                        $body
                    }
                    Schema::ClrCredential => {
                        use generated::ClrCredential as V;
                        $body
                    }
                }
            };
        }
        // The yes/no check stops at the first failure and builds no error: most documents
        // conform, and walking the schema to collect errors costs several times more.
        if with_validator!(V::is_valid(document)) {
            return Vec::new();
        }
        with_validator!(
            V::iter_errors(document)
                .map(|error| SchemaViolation {
                    path: error.instance_path().to_string(),
                    message: error.to_string(),
                })
                .collect()
        )
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const OB30: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30"
    );

    fn fixture(name: &str) -> Value {
        let text = std::fs::read_to_string(format!("{OB30}/{name}")).expect("fixture");
        serde_json::from_str(&text).expect("JSON")
    }

    #[test]
    fn the_1edtech_sample_conforms() {
        assert_eq!(
            Schema::AchievementCredential.validate(&fixture("simple.json")),
            vec![]
        );
        assert_eq!(
            Schema::AchievementCredential.validate(&fixture("complete.json")),
            vec![]
        );
    }

    #[test]
    fn formats_are_checked() {
        let mut credential = fixture("simple.json");
        credential["validFrom"] = json!("yesterday");
        let violations = Schema::AchievementCredential.validate(&credential);
        assert!(
            violations.iter().any(|v| v.path == "/validFrom"),
            "{violations:?}"
        );
    }

    #[test]
    fn a_missing_field_is_named() {
        let mut credential = fixture("simple.json");
        credential["credentialSubject"]["achievement"]
            .as_object_mut()
            .expect("achievement")
            .remove("criteria");
        let violations = Schema::AchievementCredential.validate(&credential);
        assert!(
            violations.iter().any(|v| v.message.contains("criteria")),
            "{violations:?}"
        );
    }
}
