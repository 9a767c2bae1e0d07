//! The short certificate number: what a person reads off a printed certificate, types into a
//! form or sees on LinkedIn (`certId`), instead of a 36-character UUID.
//!
//! It is derived from the award's id, so it needs no storage and never changes: the last 60
//! bits of the UUID (random in both v4 and v7 ids, so numbers do not reveal issue order) in
//! Crockford's base32 (no I, L, O or U, so it survives being read aloud or retyped), grouped
//! in fours: `7K2M-9QXA-B4TD`. At 60 random bits, a million awards have about a one in two
//! million chance of any two sharing a number.

use uuid::Uuid;

/// Crockford's base32 alphabet.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The award's certificate number, `XXXX-XXXX-XXXX`.
pub fn number(award_id: Uuid) -> String {
    let bits = award_id.as_u128() & ((1u128 << 60) - 1);
    let mut out = String::with_capacity(14);
    for index in 0..12 {
        if index > 0 && index % 4 == 0 {
            out.push('-');
        }
        let shift = 55 - 5 * index;
        out.push(ALPHABET[((bits >> shift) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_twelve_crockford_characters_in_three_groups() {
        let id = Uuid::parse_str("0190f4a2-7b1c-7d3e-8f45-1a2b3c4d5e6f").expect("a uuid");
        let number = number(id);
        assert_eq!(number.len(), 14);
        let groups: Vec<&str> = number.split('-').collect();
        assert_eq!(groups.len(), 3);
        assert!(groups.iter().all(|g| g.len() == 4));
        assert!(
            number
                .chars()
                .all(|c| c == '-' || ALPHABET.contains(&(c as u8)))
        );
    }

    #[test]
    fn the_number_is_the_last_sixty_bits() {
        let all_ones = Uuid::from_u128((1u128 << 60) - 1);
        assert_eq!(number(all_ones), "ZZZZ-ZZZZ-ZZZZ");
        assert_eq!(number(Uuid::from_u128(1)), "0000-0000-0001");
        assert_eq!(number(Uuid::from_u128(32)), "0000-0000-0010");
        // Bits above the last sixty do not change the number.
        assert_eq!(
            number(Uuid::from_u128((7u128 << 100) | 32)),
            "0000-0000-0010"
        );
    }

    #[test]
    fn different_ids_give_different_numbers() {
        let a = Uuid::from_u128(0x1234_5678_9abc_def0);
        let b = Uuid::from_u128(0x1234_5678_9abc_def1);
        assert_ne!(number(a), number(b));
    }
}
