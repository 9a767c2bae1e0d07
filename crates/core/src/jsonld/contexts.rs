//! The JSON-LD contexts Laurel knows, compiled in.
//!
//! Generated from the table in `contexts/README.md`; the URL is the key a document names in
//! `@context`, the text is the pinned copy. Nothing outside this list is ever loaded.

/// Every bundled context: (URL, document text).
pub(crate) static BUNDLED: &[(&str, &str)] = &[
    ("https://www.w3.org/ns/credentials/v2", include_str!("../../../../contexts/www.w3.org_ns_credentials_v2.jsonld")),
    ("https://www.w3.org/2018/credentials/v1", include_str!("../../../../contexts/www.w3.org_2018_credentials_v1.jsonld")),
    ("https://www.w3.org/ns/credentials/examples/v2", include_str!("../../../../contexts/www.w3.org_ns_credentials_examples_v2.jsonld")),
    ("https://www.w3.org/2018/credentials/examples/v1", include_str!("../../../../contexts/www.w3.org_2018_credentials_examples_v1.jsonld")),
    ("https://w3id.org/security/data-integrity/v1", include_str!("../../../../contexts/w3id.org_security_data-integrity_v1.jsonld")),
    ("https://w3id.org/security/data-integrity/v2", include_str!("../../../../contexts/w3id.org_security_data-integrity_v2.jsonld")),
    ("https://w3id.org/security/multikey/v1", include_str!("../../../../contexts/w3id.org_security_multikey_v1.jsonld")),
    ("https://w3id.org/security/jwk/v1", include_str!("../../../../contexts/w3id.org_security_jwk_v1.jsonld")),
    ("https://www.w3.org/ns/did/v1", include_str!("../../../../contexts/www.w3.org_ns_did_v1.jsonld")),
    ("https://w3id.org/security/v1", include_str!("../../../../contexts/w3id.org_security_v1.jsonld")),
    ("https://w3id.org/security/v2", include_str!("../../../../contexts/w3id.org_security_v2.jsonld")),
    ("https://w3id.org/security/suites/ed25519-2020/v1", include_str!("../../../../contexts/w3id.org_security_suites_ed25519-2020_v1.jsonld")),
    ("https://www.w3.org/ns/odrl.jsonld", include_str!("../../../../contexts/www.w3.org_ns_odrl.jsonld")),
    ("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", include_str!("../../../../contexts/purl.imsglobal.org_spec_ob_v3p0_context-3.0.3.json")),
    ("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json", include_str!("../../../../contexts/purl.imsglobal.org_spec_ob_v3p0_context-3.0.2.json")),
    ("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json", include_str!("../../../../contexts/purl.imsglobal.org_spec_ob_v3p0_context-3.0.1.json")),
    ("https://purl.imsglobal.org/spec/ob/v3p0/context.json", include_str!("../../../../contexts/purl.imsglobal.org_spec_ob_v3p0_context.json")),
    ("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json", include_str!("../../../../contexts/purl.imsglobal.org_spec_ob_v3p0_extensions.json")),
    ("https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json", include_str!("../../../../contexts/purl.imsglobal.org_spec_clr_v2p0_context-2.0.1.json")),
    ("https://w3id.org/citizenship/v4rc1", include_str!("../../../../contexts/w3id.org_citizenship_v4rc1.jsonld")),
];
