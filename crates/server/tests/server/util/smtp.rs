//! An SMTP server on loopback for tests and benchmarks: it accepts what it is sent (or
//! refuses, stalls or disappears, as told) and keeps every message it accepted, raw.
//!
//! It speaks just enough of RFC 5321 for a client: EHLO/HELO, MAIL, RCPT, DATA (with dot
//! unstuffing), RSET, NOOP, QUIT, on any number of connections at once.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// How the sink behaves.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// Wait this long before greeting each connection (a slow server).
    pub greeting_delay: Duration,
    /// Recipients refused for good (`550 5.1.1`).
    pub reject: Vec<String>,
    /// Recipients refused for now (`451 4.3.0`).
    pub defer: Vec<String>,
    /// Offer `AUTH PLAIN LOGIN` and accept only this user and password (`535 5.7.8`
    /// otherwise).
    pub login: Option<(String, String)>,
}

/// One message accepted.
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope sender.
    pub from: String,
    /// The envelope recipients.
    pub to: Vec<String>,
    /// The message as sent (headers and body), dot-unstuffed.
    pub data: Vec<u8>,
}

/// A running sink.
pub struct SmtpSink {
    /// Its port on 127.0.0.1.
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    task: JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSink {
    /// Starts a sink that accepts everything.
    pub async fn start() -> Self {
        Self::with(Behaviour::default()).await
    }

    /// Starts a sink that behaves as told.
    pub async fn with(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind sink");
        let port = listener.local_addr().expect("sink address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let behaviour = Arc::new(behaviour);
        let kept = received.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let kept = kept.clone();
                let behaviour = behaviour.clone();
                tokio::spawn(async move {
                    let _ = session(stream, &behaviour, &kept).await;
                });
            }
        });
        SmtpSink {
            port,
            received,
            task,
        }
    }

    /// Everything accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// How many messages were accepted.
    pub fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }
}

/// A loopback port with nothing listening (a server that is down).
pub async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    listener.local_addr().expect("address").port()
}

async fn session(
    stream: TcpStream,
    behaviour: &Behaviour,
    kept: &Mutex<Vec<Received>>,
) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    if !behaviour.greeting_delay.is_zero() {
        tokio::time::sleep(behaviour.greeting_delay).await;
    }
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut from = String::new();
    let mut to: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") {
            let auth = if behaviour.login.is_some() {
                "250-AUTH PLAIN LOGIN\r\n"
            } else {
                ""
            };
            format!(
                "250-sink.test\r\n{auth}250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 OK"
            )
        } else if upper.starts_with("AUTH PLAIN ") {
            use base64::Engine as _;
            let given = base64::engine::general_purpose::STANDARD
                .decode(command["AUTH PLAIN ".len()..].trim())
                .unwrap_or_default();
            let expected = behaviour
                .login
                .as_ref()
                .map(|(user, password)| format!("\0{user}\0{password}").into_bytes());
            if expected.as_deref() == Some(given.as_slice()) {
                "235 2.7.0 Authentication successful".into()
            } else {
                "535 5.7.8 Error: authentication failed".into()
            }
        } else if upper.starts_with("HELO") {
            "250 sink.test".into()
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&command["MAIL FROM:".len()..]);
            to.clear();
            "250 2.1.0 Ok".into()
        } else if upper.starts_with("RCPT TO:") {
            let rcpt = address(&command["RCPT TO:".len()..]);
            if behaviour.reject.contains(&rcpt) {
                format!("550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown")
            } else if behaviour.defer.contains(&rcpt) {
                "451 4.3.0 Try again later".into()
            } else {
                to.push(rcpt);
                "250 2.1.5 Ok".into()
            }
        } else if upper == "DATA" {
            if to.is_empty() {
                "554 5.5.1 No valid recipients".into()
            } else {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data = Vec::new();
                loop {
                    let mut raw = Vec::new();
                    if lines.read_until(b'\n', &mut raw).await? == 0 {
                        return Ok(());
                    }
                    if raw == b".\r\n" {
                        break;
                    }
                    let unstuffed = if raw.starts_with(b"..") {
                        &raw[1..]
                    } else {
                        &raw[..]
                    };
                    data.extend_from_slice(unstuffed);
                }
                let mut kept = kept.lock().unwrap();
                kept.push(Received {
                    from: from.clone(),
                    to: std::mem::take(&mut to),
                    data,
                });
                format!("250 2.0.0 Ok: queued as M{}", kept.len())
            }
        } else if upper == "RSET" {
            to.clear();
            "250 2.0.0 Ok".into()
        } else if upper == "NOOP" {
            "250 2.0.0 Ok".into()
        } else if upper == "QUIT" {
            write.write_all(b"221 2.0.0 Bye\r\n").await?;
            return Ok(());
        } else {
            "502 5.5.2 Command not recognized".into()
        };
        // One write per reply: two would meet Nagle's algorithm and the client's delayed ACK.
        write.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
}

/// The address in `<…>` (parameters after it ignored).
fn address(text: &str) -> String {
    let text = text.trim();
    match (text.find('<'), text.find('>')) {
        (Some(open), Some(close)) if open < close => text[open + 1..close].to_string(),
        _ => text.split_whitespace().next().unwrap_or("").to_string(),
    }
}
