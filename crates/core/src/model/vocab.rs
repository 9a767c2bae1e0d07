//! URLs and type names of the VC 2.0 / Open Badges 3.0 vocabulary.
//!
//! Kept in one place so the issuer, the verifier and the tests spell every `@context` URL and
//! `type` value the same way; a typo here would silently produce credentials that validate in
//! our tests but not at vc.1ed.tech.

/// VC Data Model 2.0 base context; MUST be the first `@context` entry of what we emit.
pub const VC_CONTEXT_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// VC Data Model 1.1 base context (legacy, accepted on input only).
pub const VC_CONTEXT_V1: &str = "https://www.w3.org/2018/credentials/v1";

/// The Open Badges 3.0 context we emit (version 3.0.3); second `@context` entry.
pub const OB_CONTEXT: &str = OB_CONTEXT_3_0_3;
/// Open Badges 3.0 context, version 3.0.3 (current).
pub const OB_CONTEXT_3_0_3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// Open Badges 3.0 context, version 3.0.2.
pub const OB_CONTEXT_3_0_2: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json";
/// Open Badges 3.0 context, version 3.0.1.
pub const OB_CONTEXT_3_0_1: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json";
/// Open Badges 3.0 context, version 3.0.0 (unversioned file name).
pub const OB_CONTEXT_3_0_0: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context.json";
/// 1EdTech extensions context; added (third) when a credential uses a 1EdTech type
/// (`1EdTechJsonSchemaValidator2019`, `1EdTechRevocationList`, `1EdTechCredentialRefresh`).
pub const OB_EXTENSIONS_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json";

/// CLR 2.0 context (version 2.0.1); second `@context` entry of a ClrCredential, before the OB one.
pub const CLR_CONTEXT: &str = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json";

/// `type` every verifiable credential carries.
pub const VERIFIABLE_CREDENTIAL: &str = "VerifiableCredential";
/// `type` of an Open Badges 3.0 credential (the name we emit).
pub const OPEN_BADGE_CREDENTIAL: &str = "OpenBadgeCredential";
/// Alias of [`OPEN_BADGE_CREDENTIAL`], accepted on input.
pub const ACHIEVEMENT_CREDENTIAL: &str = "AchievementCredential";
/// `type` of an endorsement credential.
pub const ENDORSEMENT_CREDENTIAL: &str = "EndorsementCredential";

/// `type` of a CLR 2.0 credential.
pub const CLR_CREDENTIAL: &str = "ClrCredential";
/// `type` of the subject of a CLR 2.0 credential.
pub const CLR_SUBJECT: &str = "ClrSubject";
/// `type` of a CLR 2.0 Association between two achievements (a plain string).
pub const ASSOCIATION: &str = "Association";

/// `type` of a Profile (issuer, creator, endorser…).
pub const PROFILE: &str = "Profile";
/// `type` of an Achievement.
pub const ACHIEVEMENT: &str = "Achievement";
/// `type` of the subject of an Open Badges credential.
pub const ACHIEVEMENT_SUBJECT: &str = "AchievementSubject";
/// `type` of the subject of an endorsement credential.
pub const ENDORSEMENT_SUBJECT: &str = "EndorsementSubject";
/// `type` of a recipient identifier (a plain string, never an array).
pub const IDENTITY_OBJECT: &str = "IdentityObject";
/// `type` of an Image (a plain string, never an array).
pub const IMAGE: &str = "Image";
/// `type` of an Evidence entry.
pub const EVIDENCE: &str = "Evidence";
/// `type` of an Alignment.
pub const ALIGNMENT: &str = "Alignment";
/// `type` of a Result.
pub const RESULT: &str = "Result";
/// `type` of a ResultDescription.
pub const RESULT_DESCRIPTION: &str = "ResultDescription";
/// `type` of a RubricCriterionLevel.
pub const RUBRIC_CRITERION_LEVEL: &str = "RubricCriterionLevel";
/// `type` of a Related entry.
pub const RELATED: &str = "Related";
/// `type` of an Address.
pub const ADDRESS: &str = "Address";
/// `type` of GeoCoordinates (a plain string).
pub const GEO_COORDINATES: &str = "GeoCoordinates";
/// `type` of an IdentifierEntry (a plain string).
pub const IDENTIFIER_ENTRY: &str = "IdentifierEntry";

/// `type` of a W3C Data Integrity proof.
pub const DATA_INTEGRITY_PROOF: &str = "DataIntegrityProof";
/// Cryptosuite `eddsa-rdfc-2022` (what the 1EdTech validator checks).
pub const EDDSA_RDFC_2022: &str = "eddsa-rdfc-2022";
/// Cryptosuite `eddsa-jcs-2022`.
pub const EDDSA_JCS_2022: &str = "eddsa-jcs-2022";
/// The proof purpose of an issuer's signature.
pub const ASSERTION_METHOD: &str = "assertionMethod";

/// `credentialStatus.type` of a W3C Bitstring Status List entry.
pub const BITSTRING_STATUS_LIST_ENTRY: &str = "BitstringStatusListEntry";
/// `credentialStatus.type` of a 1EdTech Revocation List (needs [`OB_EXTENSIONS_CONTEXT`]).
pub const ONE_EDTECH_REVOCATION_LIST: &str = "1EdTechRevocationList";
/// `credentialSchema.type` of 1EdTech JSON Schema validation (needs [`OB_EXTENSIONS_CONTEXT`]).
pub const ONE_EDTECH_JSON_SCHEMA_VALIDATOR_2019: &str = "1EdTechJsonSchemaValidator2019";
/// `refreshService.type` of 1EdTech Credential Refresh (needs [`OB_EXTENSIONS_CONTEXT`]).
pub const ONE_EDTECH_CREDENTIAL_REFRESH: &str = "1EdTechCredentialRefresh";

/// JSON Schema for AchievementCredential / OpenBadgeCredential.
pub const ACHIEVEMENT_CREDENTIAL_SCHEMA: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";
/// JSON Schema for EndorsementCredential.
pub const ENDORSEMENT_CREDENTIAL_SCHEMA: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json";

/// JSON Schema for ClrCredential.
pub const CLR_CREDENTIAL_SCHEMA: &str =
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json";

/// `identityType` for an email address (the impl guide's `"email"` is invalid).
pub const EMAIL_ADDRESS: &str = "emailAddress";
/// `identityType` for a person's name, published unhashed (as the DCC wallet reads it).
pub const NAME: &str = "name";

/// True if `uri` is an Open Badges 3.0 context URL of any released version, i.e. matches the
/// schema's `^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$`.
pub fn is_ob_context(uri: &str) -> bool {
    let Some(rest) = uri
        .strip_prefix("https://purl.imsglobal.org/spec/ob/v3p0/context")
        .and_then(|r| r.strip_suffix(".json"))
    else {
        return false;
    };
    // `rest` must be zero or more `-3.D.D` groups (six bytes each).
    rest.len() % 6 == 0
        && rest.as_bytes().chunks(6).all(|group| match group {
            [b'-', b'3', b'.', minor, b'.', patch] => {
                minor.is_ascii_digit() && patch.is_ascii_digit()
            }
            _ => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ob_context_versions() {
        for ok in [
            OB_CONTEXT_3_0_0,
            OB_CONTEXT_3_0_1,
            OB_CONTEXT_3_0_2,
            OB_CONTEXT_3_0_3,
        ] {
            assert!(is_ob_context(ok), "{ok}");
        }
        for bad in [
            OB_EXTENSIONS_CONTEXT,
            VC_CONTEXT_V2,
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-4.0.0.json",
            "http://purl.imsglobal.org/spec/ob/v3p0/context.json",
        ] {
            assert!(!is_ob_context(bad), "{bad}");
        }
    }
}
