//! RDFC-1.0 canonicalization with its work budget: honest credentials beside poisoned datasets.
//!
//! Run with `cargo bench -p laurel-core --bench rdfc`. Every entry canonicalizes already
//! converted quads (`jsonld::canonical_nquads_within` with `Budget::for_one_document()`), except
//! `document::*`, which also converts the JSON-LD (`jsonld::canonicalize`).
//!
//! - `honest::open_badge_credential`: `data/open-badge-credential.json`, the credential of the
//!   `proofs` benchmark (34 quads, 4 blank nodes);
//! - `honest::complete`: 1EdTech's `complete.json` without its proof (356 quads, 37 blank nodes,
//!   several identical endorsements: the most work of any credential in `tests/vectors`);
//! - `poisoned::*`: datasets that RDFC-1.0 cannot canonicalize in reasonable time, refused when
//!   the budget runs out: cliques of indistinguishable blank nodes (every node linked to every
//!   other by one predicate), and the W3C suite's negative test (a 10-clique);
//! - `document::poisoned_6x8`: a ~8 KB JSON-LD document holding six 8-cliques, end to end.
//!
//! The `poisoned` figures are the worst case a document can cost: the time to spend
//! `Budget::for_one_document()`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::LazyLock;

use divan::{Bencher, black_box};
use laurel_core::budget::Budget;
use laurel_core::jsonld;
use oxrdf::Quad;
use serde_json::{Value, json};

fn main() {
    eprintln!(
        "poisoned document: {} bytes of JSON, {} quads",
        serde_json::to_string(&*POISONED_DOCUMENT)
            .expect("json")
            .len(),
        jsonld::to_rdf(&POISONED_DOCUMENT).expect("to_rdf").len()
    );
    divan::main();
}

fn quads_of(document: &Value) -> Vec<Quad> {
    jsonld::to_rdf(document).expect("to_rdf")
}

static CREDENTIAL: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("data/open-badge-credential.json")).expect("json")
});

static COMPLETE: LazyLock<Value> = LazyLock::new(|| {
    let mut document: Value = serde_json::from_str(include_str!(
        "../../../tests/vectors/1edtech-dc-public-validator/inspector-vc/src/test/resources/ob30/complete.json"
    ))
    .expect("json");
    document.as_object_mut().expect("object").remove("proof");
    document
});

/// `cliques` cliques of `size` blank nodes each, as a JSON-LD document.
fn cliques(cliques: usize, size: usize) -> Value {
    let mut nodes = Vec::new();
    for clique in 0..cliques {
        for a in 0..size {
            let links: Vec<Value> = (0..size)
                .filter(|&b| b != a)
                .map(|b| json!({ "@id": format!("_:c{clique}n{b}") }))
                .collect();
            nodes
                .push(json!({ "@id": format!("_:c{clique}n{a}"), "https://example.org/p": links }));
        }
    }
    json!({ "@graph": nodes })
}

static POISONED_DOCUMENT: LazyLock<Value> = LazyLock::new(|| cliques(6, 8));

fn bench_quads(bencher: Bencher<'_, '_>, quads: Vec<Quad>, expect_ok: bool) {
    bencher.with_inputs(|| quads.clone()).bench_values(|quads| {
        let result = jsonld::canonical_nquads_within(quads, &Budget::for_one_document());
        assert_eq!(result.is_ok(), expect_ok);
        black_box(result)
    });
}

mod honest {
    use super::*;

    #[divan::bench]
    fn open_badge_credential(bencher: Bencher<'_, '_>) {
        bench_quads(bencher, quads_of(&CREDENTIAL), true);
    }

    #[divan::bench]
    fn complete(bencher: Bencher<'_, '_>) {
        bench_quads(bencher, quads_of(&COMPLETE), true);
    }
}

mod poisoned {
    use super::*;

    #[divan::bench]
    fn clique_6(bencher: Bencher<'_, '_>) {
        bench_quads(bencher, quads_of(&cliques(1, 6)), false);
    }

    #[divan::bench]
    fn clique_8(bencher: Bencher<'_, '_>) {
        bench_quads(bencher, quads_of(&cliques(1, 8)), false);
    }

    #[divan::bench]
    fn cliques_6x8(bencher: Bencher<'_, '_>) {
        bench_quads(bencher, quads_of(&POISONED_DOCUMENT), false);
    }

    #[divan::bench]
    fn clique_12(bencher: Bencher<'_, '_>) {
        bench_quads(bencher, quads_of(&cliques(1, 12)), false);
    }
}

mod document {
    use super::*;

    #[divan::bench]
    fn open_badge_credential() -> jsonld::Canonical {
        jsonld::canonicalize(black_box(&CREDENTIAL)).expect("canonicalize")
    }

    #[divan::bench]
    fn poisoned_6x8() -> bool {
        jsonld::canonicalize(black_box(&POISONED_DOCUMENT)).is_err()
    }
}
