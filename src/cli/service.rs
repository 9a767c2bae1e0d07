//! Commands that work on the issuer service's data: they open its database and key-encryption
//! key, as `laurel serve` does, and run the service's own code in-process, so the result is
//! what the API would have done (and the service, running or not, sees it at once).

use std::future::Future;

use anyhow::{Context as _, Result};
use clap::Args;
use laurel_server::AppState;
use laurel_server::config::{DatabaseArgs, SettingsArgs};

/// Which service: its database and public URL.
#[derive(Debug, Clone, Args)]
pub struct ServiceArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The origin the service's ids are built from; must match `laurel serve --public-url`,
    /// since what this command signs carries it [default: http://127.0.0.1:8080].
    #[arg(long, env = "LAUREL_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
}

impl ServiceArgs {
    /// Opens the service's state and runs `work` with it on a fresh runtime.
    pub fn run<T, F, Fut>(&self, work: F) -> Result<T>
    where
        F: FnOnce(AppState) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let settings = SettingsArgs {
            database: self.database.clone(),
            public_url: self.public_url.clone(),
            ..SettingsArgs::default()
        }
        .load()?;
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?
            .block_on(async {
                let state = laurel_server::serve::start(&settings, None).await?;
                work(state).await
            })
    }
}

/// An API error as a command's error: its message is the same `detail` a client would read.
pub fn api(error: laurel_server::ApiError) -> anyhow::Error {
    anyhow::anyhow!("{error}")
}
