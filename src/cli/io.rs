//! File and stream helpers shared by the commands: bounded reads (with `-` for standard input),
//! owner-only key files, atomic replacement of output files, and writing to standard output.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result, bail};

/// Whether `path` means standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How to name `path` in a message.
pub fn display(path: &Path) -> String {
    if is_stdin(path) {
        "standard input".to_string()
    } else {
        path.display().to_string()
    }
}

/// Reads all of `path` (or standard input for `-`), refusing more than `limit` bytes so a wrong
/// argument such as `/dev/zero` fails instead of exhausting memory.
pub fn read_limited(path: &Path, limit: usize, what: &str) -> Result<Vec<u8>> {
    let name = display(path);
    // Room for small files up front, so a key file is read without reallocating (which would
    // leave copies of it behind in freed memory that its `Zeroizing` wrapper cannot clear).
    let mut bytes = Vec::with_capacity(limit.min(64 * 1024).saturating_add(1));
    let read = if is_stdin(path) {
        read_up_to(io::stdin().lock(), limit, &mut bytes)
    } else {
        File::open(path).and_then(|file| read_up_to(file, limit, &mut bytes))
    };
    read.with_context(|| format!("cannot read the {what} {name}"))?;
    if bytes.len() > limit {
        bail!("the {what} {name} is larger than {limit} bytes");
    }
    Ok(bytes)
}

fn read_up_to(reader: impl Read, limit: usize, bytes: &mut Vec<u8>) -> io::Result<()> {
    let limit = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    reader.take(limit).read_to_end(bytes).map(drop)
}

/// Reads a UTF-8 text file (or standard input for `-`) of at most `limit` bytes.
pub fn read_text(path: &Path, limit: usize, what: &str) -> Result<String> {
    let bytes = read_limited(path, limit, what)?;
    String::from_utf8(bytes).map_err(|error| {
        anyhow::anyhow!(
            "the {what} {} is not UTF-8 text (invalid byte at offset {})",
            display(path),
            error.utf8_error().valid_up_to()
        )
    })
}

/// Writes a file only its owner may read or write (mode 0600), such as a private key.
///
/// Without `force` an existing file is never touched: the file is created with `O_EXCL`, so
/// the check and the creation are one step. With `force` the new contents go to a temporary
/// file (also 0600) in the same directory that then replaces `path` atomically, so the key is
/// never readable by others, not even for a moment, and a failed write leaves the old file.
pub fn write_private(path: &Path, contents: &[u8], force: bool) -> Result<()> {
    let name = path.display();
    if force {
        return replace_atomically(path, contents, Some(0o600));
    }
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|error| match error.kind() {
            io::ErrorKind::AlreadyExists => {
                anyhow::anyhow!("{name} already exists; pass --force to overwrite it")
            }
            _ => anyhow::Error::new(error).context(format!("cannot create {name}")),
        })?;
    let written = finish(&mut file, contents, Some(0o600));
    if written.is_err() {
        // Do not leave a truncated key file behind.
        let _ = fs::remove_file(path);
    }
    written.with_context(|| format!("cannot write {name}"))
}

/// Replaces `path` with `contents` atomically (temporary file in the same directory, then
/// rename), so readers see the old file or the new one, never a partial one, and `path` may be
/// the file the contents were read from. The new file's mode follows the umask.
pub fn write_replacing(path: &Path, contents: &[u8]) -> Result<()> {
    replace_atomically(path, contents, None)
}

/// `mode`: the exact permissions of the new file, or `None` for the umask's default.
fn replace_atomically(path: &Path, contents: &[u8], mode: Option<u32>) -> Result<()> {
    let name = path.display();
    let temporary = temporary_sibling(path)
        .with_context(|| format!("cannot write {name}: it does not name a file"))?;
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode.unwrap_or(0o666))
        .open(&temporary)
        .with_context(|| format!("cannot write {name}: cannot create a temporary file"))?;
    let result = finish(&mut file, contents, mode).and_then(|()| fs::rename(&temporary, path));
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result.with_context(|| format!("cannot write {name}"))
}

/// Writes everything, sets the exact mode if one is given (the umask may have changed it) and
/// syncs.
fn finish(file: &mut File, contents: &[u8], mode: Option<u32>) -> io::Result<()> {
    if let Some(mode) = mode {
        file.set_permissions(fs::Permissions::from_mode(mode))?;
    }
    file.write_all(contents)?;
    file.sync_all()
}

/// `dir/.name.laurel-<pid>-<nanos>.tmp` next to `path`.
fn temporary_sibling(path: &Path) -> Option<PathBuf> {
    let file_name = path.file_name()?;
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    let mut name = OsString::from(".");
    name.push(file_name);
    name.push(format!(".laurel-{}-{nanos}.tmp", std::process::id()));
    Some(path.with_file_name(name))
}

/// Writes `text` to standard output.
pub fn print(text: &str) -> Result<()> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write to standard output")
}
