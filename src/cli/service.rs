//! Commands that work on the issuer service's data: they open its database and key-encryption
//! key, as `laurel serve` does, and run the service's own code in-process, so the result is
//! what the API would have done (and the service, running or not, sees it at once).

use std::future::Future;

use anyhow::{Context as _, Result};
use clap::Args;
use std::sync::Arc;

use laurel_service::Service;
use laurel_service::open::{open, open_store};

use super::config::{DatabaseArgs, SettingsArgs};

/// Which service: its database and public URL.
#[derive(Debug, Clone, Args)]
pub struct ServiceArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The origin the service's ids are built from [default: the one `laurel serve` last ran
    /// with]. What this command signs carries it, so it must be the service's.
    #[arg(long, env = "LAUREL_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
}

impl ServiceArgs {
    /// Opens the service and runs `work` with it on a fresh runtime.
    ///
    /// The public URL is the one given (`--public-url` or `LAUREL_PUBLIC_URL`) or else the one
    /// `laurel serve` last ran with, which it records; only with neither is it the config
    /// file's or the default.
    /// Everything signed here carries it, so a URL given that differs from the service's is
    /// worth a warning.
    pub fn run<T, F, Fut>(&self, work: F) -> Result<T>
    where
        F: FnOnce(Arc<Service>) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let args = SettingsArgs {
            database: self.database.clone(),
            public_url: self.public_url.clone(),
            ..SettingsArgs::default()
        };
        let mut settings = args.load()?;
        let given = self.public_url.is_some();
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?
            .block_on(async {
                let store = open_store(&settings.setup()).await?;
                let served = store
                    .setting(laurel_service::public_url::SETTING)
                    .await
                    .context("cannot read the service's public URL")?;
                match served {
                    Some(served) if !given => settings.public_url = served,
                    Some(served) if served != settings.public_url => eprintln!(
                        "warning: the service last ran with --public-url {served}; what this command signs carries {}",
                        settings.public_url
                    ),
                    _ => {}
                }
                let service = open(&settings.setup()).await?;
                work(Arc::new(service)).await
            })
    }
}

/// A domain error as a command's error: its message is the same `detail` an API client would
/// read.
pub fn api(error: laurel_service::ServiceError) -> anyhow::Error {
    anyhow::anyhow!("{error}")
}

/// Writes the audit entry of a command that changed data: `cli:` and the OS user, via `cli`.
pub async fn audit(
    store: &dyn laurel_store::Store,
    action: &str,
    target: Option<String>,
    detail: serde_json::Value,
) {
    laurel_service::audit::write(
        store,
        chrono::Utc::now(),
        &laurel_service::audit::Actor::cli(),
        action,
        target,
        detail,
    )
    .await;
}
