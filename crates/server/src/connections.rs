//! Accepting and holding HTTP connections, within bounds a slow or hostile client cannot stretch.
//!
//! `axum::serve` keeps a connection for as long as the client likes and accepts as many as
//! arrive, so a few hundred clients that open sockets and send nothing (or half a request)
//! would hold the service's file descriptors and memory for ever. [`serve`] runs the same app
//! over hyper's HTTP/1 connection directly, with three bounds ([`ConnectionLimits`]):
//!
//! - **Header-read timeout**: a client has this long to send a request's headers, counted from
//!   when the connection opens or from the end of the previous response (hyper's own timer).
//! - **Keep-alive (idle) timeout**: a connection with no request being answered and no byte
//!   moving either way for this long is closed. This also ends a half-sent request whose
//!   client went quiet, and a client that stopped reading its response.
//! - **Maximum open connections**: a semaphore taken before `accept`; over the maximum, new
//!   connections wait in the kernel's backlog until one closes (a warning is logged once each
//!   time the maximum is reached).
//!
//! Each request carries [`ConnectInfo<SocketAddr>`] (the peer address) as `axum::serve`'s
//! `into_make_service_with_connect_info` would add it. Graceful shutdown is as before: stop
//! accepting, ask every connection to finish its request in flight and close, wait for them.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt as _;

/// Default time a client has to send a request's headers.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time an idle connection is kept open between requests.
pub const DEFAULT_KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(5);
/// Default number of connections open at once (below the usual 1024 file descriptors).
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// How long connections may take and how many may be open (from `--header-read-timeout`,
/// `--keep-alive-timeout` and `--max-connections`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// How long a client has to send a request's headers.
    pub header_read_timeout: Duration,
    /// How long a connection may sit idle (no request answered, no byte moving).
    pub keep_alive_timeout: Duration,
    /// How many connections may be open at once; more wait to be accepted.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            keep_alive_timeout: DEFAULT_KEEP_ALIVE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes, then stops
/// accepting, lets requests in flight finish, and returns once every connection has closed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    // Connections watch `stop`; each holds a clone of `open`, so `closed()` on its sender
    // resolves once the last one has ended.
    let (stop, stopping) = watch::channel(false);
    let (open_tx, open_rx) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    let mut at_maximum = false;
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                // The semaphore is never closed.
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        if permits.available_permits() == 0 {
            if !at_maximum {
                tracing::warn!(
                    max_connections = limits.max_connections,
                    "the maximum of open connections is reached; new ones wait until one closes \
                     (raise --max-connections if this is ordinary traffic)"
                );
            }
            at_maximum = true;
        } else {
            at_maximum = false;
        }
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(&error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        tokio::spawn(connection(
            stream,
            remote,
            app.clone(),
            limits,
            stopping.clone(),
            permit,
            open_rx.clone(),
        ));
    }
    drop(listener);
    // No receiver left just means no connection is open.
    let _ = stop.send(true);
    drop(open_rx);
    open_tx.closed().await;
    Ok(())
}

/// Like `axum::serve`: a failed accept for one peer is nothing to wait on; anything else (out
/// of file descriptors, mostly) is logged and retried after a second.
async fn accept_failed(error: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "cannot accept a connection; retrying in a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Serves one connection until it ends, idles out, or the service stops.
async fn connection(
    stream: TcpStream,
    remote: SocketAddr,
    app: Router,
    limits: ConnectionLimits,
    mut stopping: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
    _open: watch::Receiver<()>,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Tracked {
        inner: stream,
        activity: activity.clone(),
    });
    let requests = activity.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(remote));
        let busy = Busy::begin(requests.clone());
        let app = app.clone();
        async move {
            let response = app.oneshot(request).await;
            drop(busy);
            response
        }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let mut conn = pin!(builder.serve_connection(io, service));
    let mut asked_to_stop = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(error) = result {
                    // Timeouts, resets and malformed requests: the client's affair.
                    tracing::debug!(%error, "connection ended with an error");
                }
                return;
            }
            _ = stopping.wait_for(|stop| *stop), if !asked_to_stop => {
                conn.as_mut().graceful_shutdown();
                asked_to_stop = true;
            }
            () = activity.idle_for(limits.keep_alive_timeout) => {
                tracing::debug!("closing a connection idle for the keep-alive timeout");
                return;
            }
        }
    }
}

/// When a connection last moved a byte, and how many of its requests are being answered.
struct Activity {
    start: Instant,
    /// Milliseconds since `start`.
    last: AtomicU64,
    busy: AtomicUsize,
}

impl Activity {
    fn new() -> Self {
        Activity {
            start: Instant::now(),
            last: AtomicU64::new(0),
            busy: AtomicUsize::new(0),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn touch(&self) {
        self.last.store(self.now(), Ordering::Relaxed);
    }

    /// Completes once no request has been answered and no byte has moved for `limit`.
    async fn idle_for(&self, limit: Duration) {
        let limit_ms = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX);
        loop {
            let quiet = self.now().saturating_sub(self.last.load(Ordering::Relaxed));
            let wait = if self.busy.load(Ordering::Relaxed) > 0 {
                limit_ms
            } else if quiet >= limit_ms {
                return;
            } else {
                limit_ms - quiet
            };
            tokio::time::sleep(Duration::from_millis(wait.max(1))).await;
        }
    }
}

/// A request being answered: the connection is not idle until it is dropped.
struct Busy(Arc<Activity>);

impl Busy {
    fn begin(activity: Arc<Activity>) -> Self {
        activity.busy.fetch_add(1, Ordering::Relaxed);
        activity.touch();
        Busy(activity)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.touch();
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A socket that records when bytes move through it.
struct Tracked {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl Tracked {
    fn moved<T>(&self, poll: Poll<io::Result<T>>, moved: bool) -> Poll<io::Result<T>> {
        if moved {
            self.activity.touch();
        }
        poll
    }
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        let moved = matches!(poll, Poll::Ready(Ok(()))) && buf.filled().len() > before;
        self.moved(poll, moved)
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        let moved = matches!(poll, Poll::Ready(Ok(n)) if n > 0);
        self.moved(poll, moved)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        let moved = matches!(poll, Poll::Ready(Ok(n)) if n > 0);
        self.moved(poll, moved)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_close_a_stalled_or_idle_connection_within_30_seconds() {
        let limits = ConnectionLimits::default();
        assert_eq!(limits.header_read_timeout, Duration::from_secs(10));
        assert!(limits.keep_alive_timeout <= Duration::from_secs(30));
        assert!(limits.keep_alive_timeout > Duration::ZERO);
        assert!(limits.max_connections >= 64);
    }
}
