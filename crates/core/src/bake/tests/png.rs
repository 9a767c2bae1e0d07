//! PNG baking: round trips, the iTXt chunk's place and shape, an independent decoder reading
//! the result, re-baking, and every structural problem of a PNG reported in words.

use super::*;

#[test]
fn png_round_trip_json_and_jwt_with_non_ascii() {
    let token = jws(TRICKY_JSON);
    for base in [tiny_png(), SIMPLE_JSON_PNG.to_vec()] {
        for payload in [TRICKY_JSON, token.as_str()] {
            let baked = bake_png(&base, payload).expect("bake");
            let got = extract(&baked).expect("extract");
            assert_eq!(got.format, ImageFormat::Png);
            assert_eq!(got.version, BadgeVersion::Ob3);
            assert_eq!(got.payload, payload.trim());
        }
    }
}

#[test]
fn png_chunk_is_uncompressed_itxt_right_after_ihdr() {
    let baked = bake_png(&tiny_png(), TRICKY_JSON).expect("bake");
    let chunks = raw_chunks(&baked);
    assert_eq!(&chunks[0].0, b"IHDR");
    assert_eq!(&chunks[1].0, b"iTXt");
    let mut expected = b"openbadgecredential\0\0\0\0\0".to_vec();
    expected.extend_from_slice(TRICKY_JSON.as_bytes());
    assert_eq!(
        chunks[1].1, expected,
        "keyword, flag 0, method 0, empty tags, UTF-8 text"
    );
    let idat = chunks
        .iter()
        .position(|(ty, _)| ty == b"IDAT")
        .expect("IDAT");
    assert!(idat > 1, "credential comes before the image data");
    assert_eq!(&chunks.last().expect("chunks").0, b"IEND");
}

#[test]
fn baked_png_still_decodes_with_an_independent_decoder() {
    let base = tiny_png();
    let (pixels_before, _) = decode(&base);
    assert_eq!(pixels_before, tiny_pixels());

    let baked = bake_png(&base, TRICKY_JSON).expect("bake");
    let (pixels_after, itxt) = decode(&baked);
    assert_eq!(pixels_after, pixels_before, "image data untouched");
    assert_eq!(
        itxt,
        vec![(
            "openbadgecredential".to_owned(),
            false,
            TRICKY_JSON.to_owned()
        )]
    );

    // The 1EdTech image too (real deflate data, many chunks).
    let (fixture_pixels, _) = decode(SIMPLE_JSON_PNG);
    let token = jws(simple_json());
    let baked = bake_png(SIMPLE_JSON_PNG, &token).expect("bake fixture");
    let (baked_pixels, itxt) = decode(&baked);
    assert_eq!(baked_pixels, fixture_pixels);
    assert_eq!(
        itxt,
        vec![("openbadgecredential".to_owned(), false, token)],
        "the fixture's old chunk (after IDAT) is gone, the new one is before IDAT"
    );
}

#[test]
fn png_rebake_replaces_the_credential() {
    let first = bake_png(&tiny_png(), simple_json()).expect("bake 1");
    let token = jws(TRICKY_JSON);
    let second = bake_png(&first, &token).expect("bake 2");
    assert_eq!(
        text_chunks_with_keyword(&second, PNG_KEYWORD_OB3).len(),
        1,
        "exactly one credential chunk"
    );
    assert_eq!(extract(&second).expect("extract").payload, token);
    // Re-baking the same credential is idempotent.
    assert_eq!(bake_png(&second, &token).expect("bake 3"), second);

    // The 1EdTech fixture already has a credential (after IDAT): it is replaced, not kept.
    let rebaked = bake_png(SIMPLE_JWT_PNG, simple_json()).expect("rebake fixture");
    assert_eq!(text_chunks_with_keyword(&rebaked, PNG_KEYWORD_OB3).len(), 1);
    assert_eq!(extract(&rebaked).expect("extract").payload, simple_json());
    // Unrelated text chunks (ImageMagick's dates) are kept.
    assert_eq!(text_chunks_with_keyword(&rebaked, "date:create").len(), 1);
}

#[test]
fn png_rebake_removes_an_open_badges_2_chunk() {
    let ob2 = chunk(b"tEXt", b"openbadges\0https://example.org/assertions/1");
    let image = with_chunks_after_ihdr(&tiny_png(), &[ob2]);
    assert_eq!(extract(&image).expect("ob2").version, BadgeVersion::Ob2);
    let baked = bake_png(&image, simple_json()).expect("bake");
    assert!(text_chunks_with_keyword(&baked, PNG_KEYWORD_OB2).is_empty());
    assert_eq!(extract(&baked).expect("ob3").version, BadgeVersion::Ob3);
}

// ---------------------------------------------------------------- SVG round trips

#[test]
fn truncated_png_is_a_clear_error_at_every_length() {
    let baked = bake_png(&tiny_png(), simple_json()).expect("bake");
    for len in 8..baked.len() {
        let err = extract(&baked[..len]).expect_err("truncated must fail");
        assert!(
            matches!(err, BakeError::PngTruncated { .. }),
            "len {len}: {err:?}"
        );
        assert!(err.to_string().contains("truncated"), "{err}");
    }
    // A large real file cut at a few points.
    for len in [9, 40, 1000, 50_000, SIMPLE_JSON_PNG.len() - 1] {
        assert!(matches!(
            extract(&SIMPLE_JSON_PNG[..len]),
            Err(BakeError::PngTruncated { .. })
        ));
        assert!(bake_png(&SIMPLE_JSON_PNG[..len], simple_json()).is_err());
    }
}

#[test]
fn png_with_a_bad_crc_is_refused() {
    let mut image = SIMPLE_JSON_PNG.to_vec();
    // Flip a bit in the middle of the first IDAT chunk's data.
    let idat = image.windows(4).position(|w| w == b"IDAT").expect("IDAT");
    image[idat + 100] ^= 0x01;
    let err = extract(&image).expect_err("bad crc");
    assert!(
        matches!(&err, BakeError::PngBadCrc { chunk, .. } if chunk == "IDAT"),
        "{err:?}"
    );
    assert!(err.to_string().contains("CRC"), "{err}");
    assert!(matches!(
        bake_png(&image, simple_json()),
        Err(BakeError::PngBadCrc { .. })
    ));
}

#[test]
fn png_with_a_huge_length_field_does_not_allocate_or_panic() {
    let mut image = tiny_png();
    // Overwrite the length of the chunk after IHDR with 0xFFFF_FFFF, then 0x7FFF_FFFF.
    image[33..37].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(matches!(
        extract(&image),
        Err(BakeError::PngMalformed { offset: 33, .. })
    ));
    image[33..37].copy_from_slice(&0x7FFF_FFFFu32.to_be_bytes());
    assert!(matches!(
        extract(&image),
        Err(BakeError::PngTruncated { offset: 33, .. })
    ));
}

#[test]
fn png_structure_errors_are_reported() {
    let base = tiny_png();
    // First chunk not IHDR.
    let mut no_ihdr = base[..8].to_vec();
    no_ihdr.extend(chunk(b"tEXt", b"a\0b"));
    no_ihdr.extend_from_slice(&base[8..]);
    assert!(matches!(
        extract(&no_ihdr),
        Err(BakeError::PngMalformed { offset: 8, .. })
    ));
    // Bad chunk type bytes.
    let mut bad_type = base.clone();
    bad_type[37] = b'1';
    assert!(matches!(
        extract(&bad_type),
        Err(BakeError::PngMalformed { .. })
    ));
    // Signature only / nothing.
    assert!(matches!(
        extract(&base[..8]),
        Err(BakeError::PngTruncated { offset: 8, .. })
    ));
    assert!(matches!(extract_png(b"GIF89a"), Err(BakeError::NotPng)));
    // A valid PNG with no credential.
    let err = extract(&base).expect_err("not baked");
    assert!(matches!(err, BakeError::NoCredential(ImageFormat::Png)));
    assert!(err.to_string().contains("no baked"), "{err}");
}

#[test]
fn compressed_credential_chunk_is_refused() {
    let mut compressed = b"openbadgecredential\0\x01\x00\0\0".to_vec();
    compressed.extend_from_slice(&[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    let image = with_chunks_after_ihdr(&tiny_png(), &[chunk(b"iTXt", &compressed)]);
    let err = extract(&image).expect_err("compressed");
    assert!(
        matches!(err, BakeError::CompressedCredential { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("compress"), "{err}");

    let ztxt = with_chunks_after_ihdr(
        &tiny_png(),
        &[chunk(
            b"zTXt",
            b"openbadgecredential\0\0\x78\x9c\x03\x00\x00\x00\x00\x01",
        )],
    );
    assert!(matches!(
        extract(&ztxt),
        Err(BakeError::CompressedCredential { .. })
    ));
    // Baking over a compressed credential replaces it.
    let baked = bake_png(&image, simple_json()).expect("bake over compressed");
    assert_eq!(extract(&baked).expect("extract").payload, simple_json());
}

#[test]
fn png_credential_problems_are_reported() {
    let non_utf8 = with_chunks_after_ihdr(
        &tiny_png(),
        &[chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0\xff\xfe{}")],
    );
    assert!(matches!(
        extract(&non_utf8),
        Err(BakeError::PayloadNotUtf8(ImageFormat::Png))
    ));
    let empty = with_chunks_after_ihdr(
        &tiny_png(),
        &[chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0  \n")],
    );
    assert!(matches!(
        extract(&empty),
        Err(BakeError::EmptyCredential(ImageFormat::Png))
    ));
    let cut_short =
        with_chunks_after_ihdr(&tiny_png(), &[chunk(b"iTXt", b"openbadgecredential\0\0")]);
    assert!(matches!(
        extract(&cut_short),
        Err(BakeError::PngMalformed { .. })
    ));
}
