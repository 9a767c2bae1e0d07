//! Running `laurel serve`, talking to it over HTTP, and running the commands that work on its
//! data folder, for end-to-end tests of the issuer service.

use std::ffi::OsStr;
use std::io::{BufRead as _, Read as _, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{Run, finish};

/// A `laurel` command with no `LAUREL_*` settings inherited from the environment.
pub fn clean_command(args: &[&dyn AsRef<OsStr>]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_laurel"));
    command.args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("LAUREL_") {
            command.env_remove(name);
        }
    }
    command
}

/// Runs a clean `laurel` command with `args` and no standard input.
fn run_clean(args: &[&dyn AsRef<OsStr>]) -> Run {
    finish(
        clean_command(args)
            .stdin(Stdio::null())
            .output()
            .expect("run laurel"),
    )
}

/// Runs a `laurel token …` command against the database in `data_dir`.
pub fn token(data_dir: &Path, args: &[&dyn AsRef<OsStr>]) -> Run {
    let mut all: Vec<&dyn AsRef<OsStr>> = vec![&"token"];
    all.extend_from_slice(args);
    all.extend_from_slice(&[&"--data-dir", &data_dir]);
    run_clean(&all)
}

/// Runs `laurel ARGS --data-dir DATA_DIR --public-url PUBLIC_URL`: a command working on the
/// data of the service that runs on `data_dir` at `public_url`.
pub fn on_service(data_dir: &Path, public_url: &str, args: &[&dyn AsRef<OsStr>]) -> Run {
    let mut all: Vec<&dyn AsRef<OsStr>> = args.to_vec();
    all.extend_from_slice(&[&"--data-dir", &data_dir, &"--public-url", &public_url]);
    run_clean(&all)
}

/// An HTTP response: status, headers (names lowercased) and body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// The first header named `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The body as JSON; panics with the response otherwise.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {self:#?}"))
    }
}

/// Splits a raw HTTP/1.1 response (`None` if it is not one).
fn parse_response(raw: &str) -> Option<Response> {
    let status = raw.split(' ').nth(1)?.parse().ok()?;
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    Some(Response {
        status,
        headers,
        body: body.to_string(),
    })
}

/// `laurel serve` running on a free loopback port.
pub struct Server {
    pub child: Child,
    pub address: String,
    /// The "laurel is listening" log line.
    pub listening: Value,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `laurel serve --listen 127.0.0.1:0 --log-format json …` and waits for the line
    /// saying where it listens.
    pub fn start(data_dir: &Path) -> Server {
        Self::start_with(data_dir, &[])
    }

    /// [`start`](Self::start) with more arguments.
    pub fn start_with(data_dir: &Path, extra: &[&str]) -> Server {
        let mut args: Vec<&dyn AsRef<OsStr>> = vec![
            &"serve",
            &"--listen",
            &"127.0.0.1:0",
            &"--data-dir",
            &data_dir,
            &"--log-format",
            &"json",
        ];
        args.extend(extra.iter().map(|arg| arg as &dyn AsRef<OsStr>));
        let mut child = clean_command(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (found, address) = mpsc::channel();
        let kept = log.clone();
        // Reads the log until the process ends, so a full pipe never blocks the server.
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Ok(entry) = serde_json::from_str::<Value>(&line)
                    && entry["message"] == "laurel is listening"
                {
                    let _ = found.send(entry);
                }
                kept.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        let entry = address
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("laurel serve did not start: {}", log.lock().unwrap()));
        let address = entry["address"].as_str().unwrap().to_string();
        if !extra.contains(&"--public-url") {
            assert_eq!(entry["public_url"], format!("http://{address}"), "{entry}");
        }
        Server {
            child,
            address,
            listening: entry,
            log,
        }
    }

    /// The service's public URL (the origin of every id it signs).
    pub fn public_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// A request over a fresh connection; the status and body.
    pub fn request(&self, method: &str, path: &str, token: Option<&str>) -> (u16, String) {
        let response = self.fetch(method, path, token);
        (response.status, response.body)
    }

    /// A request over a fresh connection; the whole response. `path` may also be a full URL
    /// under the service's public URL (an id it signed, say).
    pub fn fetch(&self, method: &str, path: &str, token: Option<&str>) -> Response {
        let origin = self.public_url();
        let path = path.strip_prefix(origin.as_str()).unwrap_or(path);
        let mut stream = std::net::TcpStream::connect(&self.address).unwrap();
        let auth = token.map_or(String::new(), |token| {
            format!("Authorization: Bearer {token}\r\n")
        });
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n{auth}Connection: close\r\n\r\n",
            self.address
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        parse_response(&response).unwrap_or_else(|| panic!("not HTTP: {response}"))
    }

    /// A request with a JSON body over a fresh connection; the status and body.
    pub fn send_json(&self, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
        send_json(&self.address, method, path, token, body)
    }

    /// What the server has logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Sends SIGTERM and waits for a clean exit; the log.
    pub fn terminate(mut self) -> String {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                std::thread::sleep(Duration::from_millis(100));
                let log = self.log.lock().unwrap().clone();
                assert!(status.success(), "laurel serve exited with {status}: {log}");
                return log;
            }
            assert!(Instant::now() < deadline, "laurel serve did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Only if a test failed before `terminate`.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A request with a JSON body to `address` over a fresh connection; the status and body (0 and
/// nothing if the connection was cut).
pub fn send_json(
    address: &str,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> (u16, String) {
    let Ok(mut stream) = std::net::TcpStream::connect(address) else {
        return (0, String::new());
    };
    let _ = write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        address,
        body.len()
    );
    let mut response = String::new();
    // A killed server cuts the response short: that is an empty answer, not a test failure.
    let _ = stream.read_to_string(&mut response);
    parse_response(&response).map_or((0, String::new()), |response| {
        (response.status, response.body)
    })
}
