//! `laurel bake` and `laurel extract`: put a signed credential into a PNG or SVG badge image,
//! and read it back.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Args;
use laurel_core::bake::{
    self, BadgeVersion, BakeError, ImageFormat, MAX_IMAGE_BYTES, Payload, bake_png, bake_svg,
    detect_format,
};

use super::{UsageError, io};

#[derive(Debug, Args)]
pub struct BakeArgs {
    /// The badge image: a PNG or an SVG (recognised from its contents, not its name). A
    /// credential already baked into it is replaced.
    #[arg(long, value_name = "IMG")]
    image: PathBuf,
    /// The signed credential: a JSON file (embedded proof) or a file holding a compact JWS
    /// (VC-JWT), as `laurel sign` prints them; `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    credential: PathBuf,
    /// Where to write the baked image (same format as IMG). An existing file is replaced; it
    /// may be IMG itself.
    #[arg(long, value_name = "OUT")]
    out: PathBuf,
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// The baked PNG or SVG badge image; `-` reads standard input.
    #[arg(value_name = "IMG")]
    image: PathBuf,
}

pub fn run_bake(args: BakeArgs) -> Result<()> {
    if io::is_stdin(&args.image) && io::is_stdin(&args.credential) {
        return Err(
            UsageError("--image and --credential cannot both read standard input".into()).into(),
        );
    }
    let image_name = io::display(&args.image);
    let credential_name = io::display(&args.credential);
    let credential = io::read_text(&args.credential, MAX_IMAGE_BYTES, "credential")?;
    let payload = Payload::detect(&credential)
        .with_context(|| format!("refusing to bake {credential_name}"))?;
    if let Payload::Json(json) = payload {
        let signed = serde_json::from_str::<serde_json::Value>(json)
            .is_ok_and(|value| value.get("proof").is_some());
        if !signed {
            eprintln!(
                "warning: {credential_name} has no proof; verifiers will reject it \
                 (sign it first with `laurel sign`)"
            );
        }
    }
    let image = io::read_limited(&args.image, MAX_IMAGE_BYTES, "image")?;
    let format = detect_format(&image).ok_or_else(|| {
        let error = if image.starts_with(&[0x1f, 0x8b]) {
            BakeError::CompressedSvg
        } else {
            BakeError::UnrecognizedFormat
        };
        anyhow::Error::new(error).context(format!("cannot bake into {image_name}"))
    })?;
    let baked = match format {
        ImageFormat::Png => bake_png(&image, payload.as_str()),
        ImageFormat::Svg => match std::str::from_utf8(&image) {
            Ok(svg) => bake_svg(svg, payload).map(String::into_bytes),
            Err(error) => Err(BakeError::SvgNotUtf8 {
                valid_up_to: error.valid_up_to(),
            }),
        },
    }
    .with_context(|| format!("cannot bake into {image_name}"))?;
    io::write_replacing(&args.out, &baked)?;
    let kind = match payload {
        Payload::Json(_) => "JSON credential",
        Payload::Jwt(_) => "VC-JWT",
    };
    eprintln!(
        "baked the {kind} into {} ({format}, {} bytes)",
        args.out.display(),
        baked.len()
    );
    Ok(())
}

pub fn run_extract(args: ExtractArgs) -> Result<()> {
    let name = io::display(&args.image);
    let image = io::read_limited(&args.image, MAX_IMAGE_BYTES, "image")?;
    let extracted = bake::extract(&image)
        .with_context(|| format!("cannot extract a credential from {name}"))?;
    if extracted.version == BadgeVersion::Ob2 {
        eprintln!(
            "note: {name} carries an {} assertion, not an Open Badges 3.0 credential",
            extracted.version
        );
    }
    io::print(&format!("{}\n", extracted.payload))
}
