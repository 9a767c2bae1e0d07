//! Helpers for running the `laurel` binary in tests.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod service;

use std::ffi::OsStr;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// What a run of `laurel` produced.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panics with the whole run unless it exited 0.
    #[track_caller]
    pub fn success(self) -> Self {
        assert_eq!(self.code, Some(0), "laurel failed: {self:#?}");
        self
    }

    /// Panics unless it exited with `code`, printed nothing on stdout and `error: …` on stderr.
    #[track_caller]
    pub fn failure(self, code: i32) -> Self {
        assert_eq!(self.code, Some(code), "unexpected exit status: {self:#?}");
        assert_eq!(self.stdout, "", "a failed run printed to stdout: {self:#?}");
        assert!(
            self.stderr.starts_with("error: "),
            "no error line: {self:#?}"
        );
        self
    }
}

fn finish(output: Output) -> Run {
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

fn command<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new(env!("CARGO_BIN_EXE_laurel"));
    command.args(args);
    command
}

/// Runs `laurel` with `args` and no standard input.
pub fn laurel<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    finish(
        command(args)
            .stdin(Stdio::null())
            .output()
            .expect("run laurel"),
    )
}

/// Runs `laurel` with `args`, feeding `input` on standard input.
pub fn laurel_with_stdin<I, S>(args: I, input: &[u8]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut child = command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run laurel");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    finish(child.wait_with_output().expect("wait for laurel"))
}

/// `tests/data/<relative>`.
pub fn data(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(relative)
}

/// The sample unsigned credential, parsed.
pub fn sample_credential() -> serde_json::Value {
    let text = std::fs::read_to_string(data("credentials/unsigned-basic.json")).expect("sample");
    serde_json::from_str(&text).expect("sample is JSON")
}
