//! RDF Dataset Canonicalization, RDFC-1.0 with SHA-256 (<https://www.w3.org/TR/rdf-canon/>),
//! with every unit of work charged to a [`Budget`].
//!
//! The algorithm follows the Recommendation step by step; the section numbers in comments are
//! the Recommendation's. The data is laid out once, up front: every distinct term is serialized
//! once (canonical N-Quads form, which is what oxrdf's `Display` writes) and referred to by index,
//! every blank node has the list of quads that mention it, and hashes are kept as raw SHA-256
//! digests (their byte order is the code point order of their lowercase hex form).
//!
//! What the budget is charged for: one unit per quad serialized for a first-degree hash, per
//! related blank node hashed, per call of Hash N-Degree Quads, per permutation tried (plus the
//! size of the issuer copied for it), and per step of a hash path (plus the path's length, which
//! each step compares). A unit is roughly 65 ns of one core in a release build.

use std::fmt::Write as _;

use oxrdf::vocab::xsd;
use oxrdf::{GraphName, Literal, NamedOrBlankNode, Quad, Term};
use sha2::{Digest, Sha256};

use super::JsonLdError;
use crate::budget::{Budget, Exhausted};

/// A SHA-256 digest.
type Hash = [u8; 32];

/// No blank node / no identifier issued / no graph name.
const NONE: u32 = u32::MAX;

/// How deep Hash N-Degree Quads may recurse before we give up (as for an exhausted budget).
///
/// Each level is a stack frame of a few hundred bytes (a few KB in a debug build), and the
/// recursion follows chains of blank nodes that only their neighbours tell apart: a cycle of
/// 512 such nodes would recurse 511 deep. Datasets that recurse this deep cost about what
/// [`Budget::for_one_document`] allows or more anyway (a cycle of 100 such nodes spends about
/// 127 000 units, an RDF list of 100 identical values 116 000, of 100 alternating between two
/// values 58 000), so the limit refuses next to nothing that the default budget would accept,
/// and keeps the stack needed well under a Tokio worker's 2 MiB (a debug build overflowed 1 MiB
/// at 511 levels).
const MAX_DEPTH: u32 = 128;

/// The position of a blank node in a quad, as Hash Related Blank Node writes it.
const POSITIONS: [(usize, u8); 3] = [(0, b's'), (2, b'o'), (3, b'g')];

/// RDFC-1.0 (SHA-256) canonical N-Quads of `quads`: one statement per line, each ending in
/// `" .\n"`, lines sorted by code point and without duplicates.
pub(crate) fn canonical_nquads(quads: Vec<Quad>, budget: &Budget) -> Result<String, JsonLdError> {
    let dataset = Dataset::new(&quads);
    drop(quads);
    if dataset.mentions.len() > budget.blank_nodes() {
        return Err(JsonLdError::TooComplex(format!(
            "{} blank nodes, more than the {} allowed",
            dataset.mentions.len(),
            budget.blank_nodes()
        )));
    }
    dataset.canonicalize(budget).map_err(|exhausted| {
        JsonLdError::TooComplex(match exhausted {
            Exhausted::Work => "canonicalization too complex".into(),
            Exhausted::Deadline => "canonicalization ran out of time".into(),
        })
    })
}

/// Room, beyond the terms' own text, for one quad's brackets, quotes, datatype markers and
/// blank node prefixes (escapes may need more, then the text grows once).
const MARKUP_PER_QUAD: usize = 24;

/// Appends `literal` in canonical N-Quads form, as oxrdf's `Display` writes it (see the test
/// `literals_are_written_as_oxrdf_writes_them`) without going through a formatter one
/// character at a time.
fn write_literal(text: &mut String, literal: &Literal) {
    text.push('"');
    let value = literal.value();
    let mut plain = 0;
    for (at, character) in value.char_indices() {
        let escaped = match character {
            '\u{8}' => "\\b",
            '\t' => "\\t",
            '\n' => "\\n",
            '\u{C}' => "\\f",
            '\r' => "\\r",
            '"' => "\\\"",
            '\\' => "\\\\",
            '\0'..='\u{1F}' | '\u{7F}' | '\u{FFFE}' | '\u{FFFF}' => "",
            _ => continue,
        };
        text.push_str(&value[plain..at]);
        if escaped.is_empty() {
            // Writing to a String cannot fail.
            let _ = write!(text, "\\u{:04X}", u32::from(character));
        } else {
            text.push_str(escaped);
        }
        plain = at + character.len_utf8();
    }
    text.push_str(&value[plain..]);
    text.push('"');
    if let Some(language) = literal.language() {
        text.push('@');
        text.push_str(language);
    } else if literal.datatype() != xsd::STRING {
        text.push_str("^^<");
        text.push_str(literal.datatype().as_str());
        text.push('>');
    }
}

/// A term as [`Dataset::new`] writes it.
enum Written<'a> {
    /// `<iri>`.
    Iri(&'a str),
    /// `_:id`.
    Blank(&'a str),
    /// Anything else (a literal), in oxrdf's N-Quads form.
    Other(&'a Term),
}

impl<'a> Written<'a> {
    fn subject(subject: &'a NamedOrBlankNode) -> Self {
        match subject {
            NamedOrBlankNode::NamedNode(node) => Written::Iri(node.as_str()),
            NamedOrBlankNode::BlankNode(node) => Written::Blank(node.as_str()),
        }
    }

    fn object(object: &'a Term) -> Self {
        match object {
            Term::NamedNode(node) => Written::Iri(node.as_str()),
            Term::BlankNode(node) => Written::Blank(node.as_str()),
            other => Written::Other(other),
        }
    }
}

/// The input dataset, interned.
struct Dataset {
    /// Serializations of the non-blank terms, back to back.
    text: String,
    /// Per term: its span in `text`, or for a blank node its blank node number in `.0` and
    /// [`NONE`] in `.1`.
    terms: Vec<(u32, u32)>,
    /// The distinct quads, as term indices: subject, predicate, object, graph name ([`NONE`] for
    /// the default graph).
    quads: Vec<[u32; 4]>,
    /// Per blank node: the indices of the quads that mention it (each once).
    mentions: Vec<Vec<u32>>,
}

impl Dataset {
    fn new(input: &[Quad]) -> Self {
        // Every term of every quad serialized back to back (no allocation per term), then
        // interned: equal text, same term.
        let text_bytes: usize = input
            .iter()
            .map(|quad| super::quad_bytes(quad) + MARKUP_PER_QUAD)
            .sum();
        let mut text = String::with_capacity(text_bytes);
        // Per occurrence: its span in `text`, and whether it is a blank node.
        let mut spans: Vec<(u32, u32, bool)> = Vec::with_capacity(input.len() * 4);
        let push = |text: &mut String, spans: &mut Vec<(u32, u32, bool)>, term: Written<'_>| {
            let start = text.len() as u32;
            let blank = matches!(term, Written::Blank(_));
            match term {
                Written::Iri(iri) => {
                    text.push('<');
                    text.push_str(iri);
                    text.push('>');
                }
                Written::Blank(id) => {
                    text.push_str("_:");
                    text.push_str(id);
                }
                Written::Other(Term::Literal(literal)) => write_literal(text, literal),
                // Writing to a String cannot fail.
                Written::Other(term) => {
                    let _ = write!(text, "{term}");
                }
            }
            spans.push((start, text.len() as u32, blank));
        };
        for quad in input {
            push(&mut text, &mut spans, Written::subject(&quad.subject));
            push(&mut text, &mut spans, Written::Iri(quad.predicate.as_str()));
            push(&mut text, &mut spans, Written::object(&quad.object));
            match &quad.graph_name {
                // An empty span: the default graph, never a term.
                GraphName::DefaultGraph => spans.push((0, 0, false)),
                GraphName::NamedNode(node) => {
                    push(&mut text, &mut spans, Written::Iri(node.as_str()))
                }
                GraphName::BlankNode(node) => {
                    push(&mut text, &mut spans, Written::Blank(node.as_str()))
                }
            }
        }
        // Per occurrence: its term, the same for equal text. The serializations tell the kinds
        // apart (`<` an IRI, `_:` a blank node, `"` a literal), so the text alone is the key.
        // Equal texts are found by sorting the occurrences, not by hashing attacker-chosen
        // strings; sorted by length and last eight bytes first, since terms that differ mostly
        // differ there (IRIs of one vocabulary share long prefixes), then by the whole text.
        let slice = |&(start, end, _): &(u32, u32, bool)| &text[start as usize..end as usize];
        // (length, last eight bytes, occurrence), the default graph's empty spans left out.
        let mut order: Vec<(u32, u64, u32)> = spans
            .iter()
            .enumerate()
            .filter(|(_, span)| span.0 != span.1)
            .map(|(occurrence, span)| {
                let bytes = slice(span).as_bytes();
                let mut tail = [0u8; 8];
                let from = bytes.len().saturating_sub(8);
                tail[..bytes.len() - from].copy_from_slice(&bytes[from..]);
                (
                    bytes.len() as u32,
                    u64::from_le_bytes(tail),
                    occurrence as u32,
                )
            })
            .collect();
        order.sort_unstable();
        let mut term_of = vec![NONE; spans.len()];
        let mut terms = Vec::with_capacity(order.len());
        for run in order.chunk_by_mut(|a, b| (a.0, a.1) == (b.0, b.1)) {
            let text_of = |entry: &(u32, u64, u32)| slice(&spans[entry.2 as usize]);
            // Usually one text; otherwise sort the run by text so equal texts are adjacent.
            if run.iter().any(|entry| text_of(entry) != text_of(&run[0])) {
                run.sort_unstable_by(|a, b| text_of(a).cmp(text_of(b)));
            }
            let mut previous: Option<&str> = None;
            for entry in run.iter() {
                let span = &spans[entry.2 as usize];
                let current = slice(span);
                if previous != Some(current) {
                    // Blank nodes are numbered below, in order of first occurrence.
                    terms.push(if span.2 {
                        (NONE, NONE)
                    } else {
                        (span.0, span.1)
                    });
                    previous = Some(current);
                }
                term_of[entry.2 as usize] = terms.len() as u32 - 1;
            }
        }
        let mut blank_nodes = 0u32;
        for (occurrence, span) in spans.iter().enumerate() {
            let term = term_of[occurrence];
            if span.2 && terms[term as usize].0 == NONE {
                terms[term as usize].0 = blank_nodes;
                blank_nodes += 1;
            }
        }
        let mut quads: Vec<[u32; 4]> = term_of
            .chunks_exact(4)
            .map(|ids| [ids[0], ids[1], ids[2], ids[3]])
            .collect();
        // A dataset is a set: duplicates count once (and would change the hashes otherwise).
        quads.sort_unstable();
        quads.dedup();
        let mut mentions = vec![Vec::new(); blank_nodes as usize];
        for (number, quad) in quads.iter().enumerate() {
            for &term in quad {
                if term == NONE {
                    continue;
                }
                let (node, end) = terms[term as usize];
                if end == NONE {
                    let list: &mut Vec<u32> = &mut mentions[node as usize];
                    if list.last() != Some(&(number as u32)) {
                        list.push(number as u32);
                    }
                }
            }
        }
        Self {
            text,
            terms,
            quads,
            mentions,
        }
    }

    /// The blank node number of `term`, if it is a blank node.
    fn blank(&self, term: u32) -> Option<u32> {
        if term == NONE {
            return None;
        }
        let (node, end) = self.terms[term as usize];
        (end == NONE).then_some(node)
    }

    /// The serialization of a non-blank term.
    fn text(&self, term: u32) -> &str {
        let (start, end) = self.terms[term as usize];
        &self.text[start as usize..end as usize]
    }

    /// Appends the canonical N-Quads line for `quad`, blank nodes written by `label`.
    fn write_quad(
        &self,
        quad: &[u32; 4],
        out: &mut String,
        label: &mut impl FnMut(u32, &mut String),
    ) {
        for (position, &term) in quad.iter().enumerate() {
            if term == NONE {
                continue;
            }
            if position > 0 {
                out.push(' ');
            }
            match self.blank(term) {
                Some(node) => label(node, out),
                None => out.push_str(self.text(term)),
            }
        }
        out.push_str(" .\n");
    }

    /// 4.4.3: the canonicalization algorithm, and the canonical N-Quads it produces.
    fn canonicalize(&self, budget: &Budget) -> Result<String, Exhausted> {
        let nodes = self.mentions.len();
        let mut state = State {
            dataset: self,
            budget,
            first_degree: Vec::with_capacity(nodes),
            canonical: Issuer::new(nodes),
        };
        // 4.4.3 (3): the first-degree hash of every blank node.
        let mut lines = Lines::default();
        for node in 0..nodes as u32 {
            let hash = state.hash_first_degree(node, &mut lines)?;
            state.first_degree.push(hash);
        }
        // Hash to blank nodes, in code point order of the hash.
        let mut by_hash: Vec<(Hash, u32)> = state
            .first_degree
            .iter()
            .enumerate()
            .map(|(node, hash)| (*hash, node as u32))
            .collect();
        by_hash.sort_unstable();
        let groups: Vec<&[(Hash, u32)]> = by_hash.chunk_by(|a, b| a.0 == b.0).collect();
        // 4.4.3 (4): blank nodes with a unique first-degree hash get their identifier now.
        for group in &groups {
            if let [(_, node)] = group {
                state.canonical.issue(*node);
            }
        }
        // 4.4.3 (5): the others, by Hash N-Degree Quads.
        for group in groups.iter().filter(|group| group.len() > 1) {
            let mut paths: Vec<(Hash, Issuer)> = Vec::new();
            for &(_, node) in group.iter() {
                if state.canonical.has(node) {
                    continue;
                }
                let mut issuer = Issuer::new(nodes);
                issuer.issue(node);
                paths.push(state.hash_n_degree(node, issuer, 0)?);
            }
            paths.sort_by_key(|path| path.0);
            for (_, issuer) in &paths {
                for &node in &issuer.order {
                    state.canonical.issue(node);
                }
            }
        }
        // 4.4.3 (6): the quads with canonical identifiers, sorted.
        lines.clear();
        lines
            .text
            .reserve(self.text.len() + self.quads.len() * MARKUP_PER_QUAD);
        lines.spans.reserve(self.quads.len());
        for quad in &self.quads {
            lines.start();
            self.write_quad(quad, &mut lines.text, &mut |node, out| {
                out.push_str("_:c14n");
                push_number(out, state.canonical.id(node));
            });
            lines.end();
        }
        Ok(lines.sorted_concat())
    }
}

/// Lines written back to back into one buffer.
#[derive(Default)]
struct Lines {
    text: String,
    spans: Vec<(usize, usize)>,
    start: usize,
}

impl Lines {
    fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
    }

    fn start(&mut self) {
        self.start = self.text.len();
    }

    fn end(&mut self) {
        self.spans.push((self.start, self.text.len()));
    }

    /// Sorts the lines in code point order (which is byte order for UTF-8).
    fn sort(&mut self) {
        let text = &self.text;
        self.spans
            .sort_unstable_by(|a, b| text[a.0..a.1].cmp(&text[b.0..b.1]));
    }

    fn sorted_concat(mut self) -> String {
        self.sort();
        let mut out = String::with_capacity(self.text.len());
        let mut previous: Option<&str> = None;
        for &(start, end) in &self.spans {
            let line = &self.text[start..end];
            if previous != Some(line) {
                out.push_str(line);
            }
            previous = Some(line);
        }
        out
    }
}

/// An identifier issuer (4.5): identifiers `<prefix>0`, `<prefix>1`, … in order of issue.
#[derive(Clone)]
struct Issuer {
    /// Per blank node: the number issued, or [`NONE`].
    ids: Vec<u32>,
    /// The blank nodes in the order their identifiers were issued.
    order: Vec<u32>,
}

impl Issuer {
    fn new(nodes: usize) -> Self {
        Self {
            ids: vec![NONE; nodes],
            order: Vec::new(),
        }
    }

    fn has(&self, node: u32) -> bool {
        self.ids[node as usize] != NONE
    }

    fn id(&self, node: u32) -> u32 {
        self.ids[node as usize]
    }

    /// Issues an identifier for `node` (or returns the one issued before).
    fn issue(&mut self, node: u32) -> u32 {
        let id = &mut self.ids[node as usize];
        if *id == NONE {
            *id = self.order.len() as u32;
            self.order.push(node);
        }
        *id
    }
}

/// The canonicalization state (4.2) and the inputs every step needs.
struct State<'a> {
    dataset: &'a Dataset,
    budget: &'a Budget,
    /// Per blank node: its first-degree hash.
    first_degree: Vec<Hash>,
    /// The canonical issuer, prefix `c14n`.
    canonical: Issuer,
}

impl State<'_> {
    /// 4.6.3: Hash First Degree Quads.
    fn hash_first_degree(&self, node: u32, lines: &mut Lines) -> Result<Hash, Exhausted> {
        let mentions = &self.dataset.mentions[node as usize];
        self.budget.spend(mentions.len() as u64)?;
        lines.clear();
        for &quad in mentions {
            lines.start();
            self.dataset.write_quad(
                &self.dataset.quads[quad as usize],
                &mut lines.text,
                &mut |other, out| out.push_str(if other == node { "_:a" } else { "_:z" }),
            );
            lines.end();
        }
        lines.sort();
        let mut hasher = Sha256::new();
        for &(start, end) in &lines.spans {
            hasher.update(&lines.text.as_bytes()[start..end]);
        }
        Ok(hasher.finalize().into())
    }

    /// 4.7.3: Hash Related Blank Node.
    fn hash_related(&self, related: u32, quad: &[u32; 4], issuer: &Issuer, position: u8) -> Hash {
        let mut hasher = Sha256::new();
        hasher.update([position]);
        if position != b'g' {
            // The predicate's serialization is `<IRI>`.
            hasher.update(self.dataset.text(quad[1]).as_bytes());
        }
        let mut digits = [0u8; 10];
        if self.canonical.has(related) {
            hasher.update(b"_:c14n");
            hasher.update(decimal(self.canonical.id(related), &mut digits));
        } else if issuer.has(related) {
            hasher.update(b"_:b");
            hasher.update(decimal(issuer.id(related), &mut digits));
        } else {
            hasher.update(hex(&self.first_degree[related as usize]));
        }
        hasher.finalize().into()
    }

    /// 4.8.3: Hash N-Degree Quads, for `node` with the temporary `issuer`; returns the hash and
    /// the issuer that produced the chosen paths. `depth` counts the recursive calls above this
    /// one, up to [`MAX_DEPTH`].
    fn hash_n_degree(
        &self,
        node: u32,
        mut issuer: Issuer,
        depth: u32,
    ) -> Result<(Hash, Issuer), Exhausted> {
        if depth > MAX_DEPTH {
            return Err(Exhausted::Work);
        }
        let dataset = self.dataset;
        // Every quad that mentions the node is walked, related or not.
        self.budget
            .spend(1 + dataset.mentions[node as usize].len() as u64)?;
        // 4.8.3 (1–3): related hash → related blank nodes, as sorted (hash, node) pairs.
        let mut related: Vec<(Hash, u32)> = Vec::new();
        for &quad in &dataset.mentions[node as usize] {
            let quad = &dataset.quads[quad as usize];
            for (index, position) in POSITIONS {
                if let Some(other) = dataset.blank(quad[index])
                    && other != node
                {
                    // Hashing a related node reads the predicate: a long IRI costs more.
                    self.budget
                        .spend(1 + dataset.text(quad[1]).len() as u64 / 1024)?;
                    related.push((self.hash_related(other, quad, &issuer, position), other));
                }
            }
        }
        related.sort_unstable();
        // 4.8.3 (5).
        let mut data = Sha256::new();
        let mut path = String::new();
        let mut chosen_path = String::new();
        let mut recursion: Vec<u32> = Vec::new();
        let mut permutation: Vec<u32> = Vec::new();
        for group in related.chunk_by(|a, b| a.0 == b.0) {
            data.update(hex(&group[0].0));
            chosen_path.clear();
            let mut chosen_issuer: Option<Issuer> = None;
            // Distinct permutations in lexicographic order; a repeated node yields repeated
            // permutations, whose paths are identical and so never chosen over the first.
            permutation.clear();
            permutation.extend(group.iter().map(|&(_, node)| node));
            permutation.sort_unstable();
            'permutations: loop {
                self.budget
                    .spend(1 + (issuer.ids.len() as u64 + issuer.order.len() as u64) / 64)?;
                let mut copy = issuer.clone();
                path.clear();
                recursion.clear();
                let worse = |path: &str, chosen: &str| {
                    !chosen.is_empty() && path.len() >= chosen.len() && path > chosen
                };
                for &other in &permutation {
                    // Comparing paths costs their length: long paths cost more per step.
                    self.budget.spend(1 + path.len() as u64 / 1024)?;
                    if self.canonical.has(other) {
                        path.push_str("_:c14n");
                        push_number(&mut path, self.canonical.id(other));
                    } else {
                        if !copy.has(other) {
                            recursion.push(other);
                        }
                        path.push_str("_:b");
                        push_number(&mut path, copy.issue(other));
                    }
                    if worse(&path, &chosen_path) {
                        if next_permutation(&mut permutation) {
                            continue 'permutations;
                        }
                        break 'permutations;
                    }
                }
                let mut pruned = false;
                for &other in &recursion {
                    self.budget.spend(1 + path.len() as u64 / 1024)?;
                    let (hash, issued) = self.hash_n_degree(other, copy, depth + 1)?;
                    copy = issued;
                    path.push_str("_:b");
                    push_number(&mut path, copy.id(other));
                    path.push('<');
                    // Hex digits are ASCII.
                    path.extend(hex(&hash).iter().map(|&digit| digit as char));
                    path.push('>');
                    if worse(&path, &chosen_path) {
                        pruned = true;
                        break;
                    }
                }
                if !pruned && (chosen_path.is_empty() || path < chosen_path) {
                    std::mem::swap(&mut chosen_path, &mut path);
                    chosen_issuer = Some(copy);
                }
                if !next_permutation(&mut permutation) {
                    break;
                }
            }
            data.update(chosen_path.as_bytes());
            if let Some(chosen) = chosen_issuer {
                issuer = chosen;
            }
        }
        Ok((data.finalize().into(), issuer))
    }
}

/// Rearranges `items` into the next permutation in lexicographic order; false (and `items`
/// sorted again) after the last.
fn next_permutation(items: &mut [u32]) -> bool {
    let Some(pivot) = items.windows(2).rposition(|pair| pair[0] < pair[1]) else {
        items.reverse();
        return false;
    };
    let Some(successor) = items.iter().rposition(|&item| item > items[pivot]) else {
        return false;
    };
    items.swap(pivot, successor);
    items[pivot + 1..].reverse();
    true
}

/// The lowercase hexadecimal form of a hash.
fn hex(hash: &Hash) -> [u8; 64] {
    let mut out = [0u8; 64];
    // 32 bytes always fit in 64 hex digits: this cannot fail.
    let _ = ::hex::encode_to_slice(hash, &mut out);
    out
}

/// The decimal form of `number`, written at the end of `digits`.
fn decimal(mut number: u32, digits: &mut [u8; 10]) -> &[u8] {
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (number % 10) as u8;
        number /= 10;
        if number == 0 {
            return &digits[start..];
        }
    }
}

/// Appends the decimal form of `number`.
fn push_number(out: &mut String, number: u32) {
    let mut digits = [0u8; 10];
    // Decimal digits are ASCII.
    out.extend(
        decimal(number, &mut digits)
            .iter()
            .map(|&digit| digit as char),
    );
}

#[cfg(test)]
mod tests {
    use oxrdf::vocab::{rdf, xsd};
    use oxrdf::{Literal, NamedNode};

    use super::write_literal;

    #[test]
    fn literals_are_written_as_oxrdf_writes_them() {
        let values = [
            "",
            "plain",
            "quote \" and backslash \\",
            "tab\tnewline\nreturn\rbell\u{7}form\u{C}back\u{8}",
            "\u{0}\u{1F}\u{7F}\u{80}\u{FFFE}\u{FFFF}\u{10FFFF}",
            "ünïcödé 文字 🎓 at the end\\",
            "\"",
        ];
        let datatype = NamedNode::new_unchecked("https://example.org/type#a\"b");
        for value in values {
            let literals = [
                Literal::new_simple_literal(value),
                Literal::new_typed_literal(value, xsd::STRING),
                Literal::new_typed_literal(value, xsd::DATE_TIME),
                Literal::new_typed_literal(value, rdf::XML_LITERAL),
                Literal::new_typed_literal(value, datatype.clone()),
                Literal::new_language_tagged_literal_unchecked(value, "en-us"),
            ];
            for literal in literals {
                let mut text = String::new();
                write_literal(&mut text, &literal);
                assert_eq!(text, literal.to_string(), "{literal:?}");
            }
        }
    }
}
