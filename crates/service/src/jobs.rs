//! Background work that a graceful shutdown waits for: attendance imports run after their
//! request has been answered, and stopping the service must not cut one off halfway (its job
//! would be left "running" until reported stale).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;

/// Counts running background jobs; cheap to clone.
#[derive(Debug, Default, Clone)]
pub struct Jobs {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    running: AtomicUsize,
    idle: Notify,
}

impl Jobs {
    /// Runs `work` in the background, counted until it ends (or panics).
    pub fn spawn(&self, work: impl Future<Output = ()> + Send + 'static) {
        self.inner.running.fetch_add(1, Ordering::SeqCst);
        let done = Done(self.inner.clone());
        tokio::spawn(async move {
            let _done = done;
            work.await;
        });
    }

    /// How many jobs are running.
    pub fn running(&self) -> usize {
        self.inner.running.load(Ordering::SeqCst)
    }

    /// Completes once no job is running.
    pub async fn idle(&self) {
        loop {
            let notified = self.inner.idle.notified();
            if self.running() == 0 {
                return;
            }
            notified.await;
        }
    }
}

/// Counts a job out when it ends, however it ends.
struct Done(Arc<Inner>);

impl Drop for Done {
    fn drop(&mut self) {
        if self.0.running.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn idle_waits_for_every_job() {
        let jobs = Jobs::default();
        jobs.idle().await;
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        jobs.spawn(async move {
            let _ = released.await;
        });
        assert_eq!(jobs.running(), 1);
        let waiting = tokio::time::timeout(Duration::from_millis(50), jobs.idle()).await;
        assert!(waiting.is_err(), "idle while a job runs");
        release.send(()).expect("job waiting");
        tokio::time::timeout(Duration::from_secs(5), jobs.idle())
            .await
            .expect("idle once the job ended");
        assert_eq!(jobs.running(), 0);
    }
}
