//! `laurel serve`: run the issuer service.
//!
//! The domain is `laurel-service` and the HTTP side `laurel-server`; this only reads the settings, installs the logger and
//! the metrics recorder (both process-wide, so the binary's to own), binds the port, and
//! serves until Ctrl-C or SIGTERM, finishing requests in flight.

use anyhow::{Context as _, Result};
use clap::Args;
use laurel_server::connections::ConnectionLimits;
use laurel_server::{App, AppState, middleware, serve, telemetry};
use laurel_service::{activity, email, housekeeping, public_url};

use super::config::{Settings, SettingsArgs};
use tokio::net::TcpListener;

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    settings: SettingsArgs,
    /// Start even though the public URL differs from the one credentials were already signed
    /// with (they keep pointing at the old one: see "Moving to a new address" in the README).
    #[arg(long)]
    change_public_url: bool,
    /// Count console sign-in attempts under the last `X-Forwarded-For` address when the
    /// connection comes from this host: only behind a reverse proxy on this host that appends
    /// the client's address (nginx: `proxy_set_header X-Forwarded-For
    /// $proxy_add_x_forwarded_for`).
    #[arg(long, env = "LAUREL_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
}

/// How long a stopping service waits for imports in progress.
const JOBS_GRACE: std::time::Duration = std::time::Duration::from_secs(120);

pub fn run(args: ServeArgs) -> Result<()> {
    let settings = args.settings.load()?;
    super::logging::init_logging(settings.log_format, &settings.log_filter)
        .map_err(anyhow::Error::msg)?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(run_service(
            settings,
            args.settings.public_url.is_some(),
            args.change_public_url,
            args.trust_forwarded_for,
        ))
}

async fn run_service(
    mut settings: Settings,
    public_url_given: bool,
    change_public_url: bool,
    trust_forwarded_for: bool,
) -> Result<()> {
    // Bind first: a port in use fails before anything is created.
    let listener = TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let address = listener
        .local_addr()
        .context("cannot read the listening address")?;
    // With port 0 the default public URL must name the port actually bound.
    if settings.listen.port() == 0
        && !public_url_given
        && settings.public_url == format!("http://{}", settings.listen)
    {
        settings.public_url = format!("http://{address}");
    }
    // Bound before anything is created too, for the same reason.
    let metrics_listener = match settings.metrics_listen {
        Some(address) => Some(
            TcpListener::bind(address)
                .await
                .with_context(|| format!("cannot listen for metrics on {address}"))?,
        ),
        None => None,
    };
    let metrics_address = metrics_listener
        .as_ref()
        .map(TcpListener::local_addr)
        .transpose()
        .context("cannot read the metrics address")?;
    let metrics = telemetry::install_metrics().map_err(anyhow::Error::msg)?;
    // With --metrics-listen, /metrics is served there and not on the public address.
    // Documents from elsewhere (wallet holders' did:web documents, endorsers' keys) are read
    // over HTTPS, within the domain's limits.
    let service = laurel_service::open::open(&settings.setup())
        .await?
        .with_remote_documents(std::sync::Arc::new(
            laurel_server::remote::RemoteDocuments::default(),
        ));
    let state = AppState::new(
        App::new(service).with_metrics(metrics_listener.is_none().then(|| metrics.clone())),
    );
    public_url::record(
        state.store.as_ref(),
        &settings.public_url,
        change_public_url,
        state.clock.now(),
    )
    .await?;
    for warning in public_url::warnings(&settings.public_url) {
        tracing::warn!("{warning}");
    }
    // Per-line import results past their time (see `activity::bounds`) go now, not only when
    // their issuer next imports.
    activity::bounds::expire(&state, None).await;
    // Before "listening": a signal sent once that line is out must find its handler.
    let shutdown = serve::shutdown_signal().context("cannot listen for Ctrl-C and SIGTERM")?;
    let console = console_url(&settings.public_url);
    tracing::info!(
        %address,
        metrics_address = metrics_address.map(|a| a.to_string()).as_deref(),
        public_url = %settings.public_url,
        %console,
        database = %laurel_store::redact_url(&settings.database_url),
        data_dir = %settings.data_dir.display(),
        "laurel is listening"
    );
    // For the person who started it: where the console is, and how to get in the first time.
    // On standard output, apart from the log (standard error), so it reads the same whatever
    // the log format.
    let has_staff = !state.store.list_users().await?.is_empty();
    println!("{}", first_run_message(&settings, has_staff));
    let jobs = state.jobs.clone();
    let (stop_email, email_stopped) = tokio::sync::watch::channel(false);
    let email_worker = settings
        .email
        .worker
        .then(|| tokio::spawn(email::worker::run(state.service.clone(), email_stopped)));
    // Expired wallet exchanges, offers and nonces are deleted now and every hour.
    let (stop_housekeeping, housekeeping_stopped) = tokio::sync::watch::channel(false);
    let sweeper = tokio::spawn(housekeeping::run(
        state.service.clone(),
        housekeeping_stopped,
        housekeeping::EVERY,
    ));
    // Latency samples are folded into the histogram's buckets even when nobody scrapes.
    let (stop_upkeep, upkeep_stopped) = tokio::sync::watch::channel(false);
    let upkeep_handle = metrics.clone();
    let upkeep = tokio::spawn(telemetry::keep_upkeep(
        telemetry::UPKEEP_EVERY,
        move || upkeep_handle.run_upkeep(),
        upkeep_stopped,
    ));
    let mut app = laurel_server::router_with(state, &limits(&settings));
    if trust_forwarded_for {
        app = laurel_server::console::sign_in::trust_forwarded_for(app);
    }
    // One signal stops both listeners.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let stopping = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let metrics_server = metrics_listener.map(|listener| {
        tokio::spawn(serve::serve_with(
            listener,
            telemetry::metrics_router(metrics),
            connection_limits(&settings),
            stopping(stopped.clone()),
        ))
    });
    serve::serve_with(
        listener,
        app,
        connection_limits(&settings),
        stopping(stopped),
    )
    .await
    .context("the server failed")?;
    if let Some(metrics_server) = metrics_server {
        match metrics_server.await {
            Ok(result) => result.context("the metrics server failed")?,
            Err(error) => tracing::warn!(%error, "the metrics server stopped abnormally"),
        }
    }
    let _ = stop_upkeep.send(true);
    let _ = upkeep.await;
    // A sweep in hand finishes (a few deletes).
    let _ = stop_housekeeping.send(true);
    if tokio::time::timeout(JOBS_GRACE, sweeper).await.is_err() {
        tracing::warn!("stopping while expired wallet rows were being deleted");
    }
    // The email batch in hand finishes (each send is bounded by the SMTP timeout).
    let _ = stop_email.send(true);
    if let Some(worker) = email_worker
        && tokio::time::timeout(JOBS_GRACE, worker).await.is_err()
    {
        tracing::warn!(
            "stopping with emails still sending; their claims lapse and another run sends them"
        );
    }
    // Imports answered already but still recording and minting: let them finish.
    if jobs.running() > 0 {
        tracing::info!(
            jobs = jobs.running(),
            "waiting for attendance imports to finish"
        );
        if tokio::time::timeout(JOBS_GRACE, jobs.idle()).await.is_err() {
            tracing::warn!(
                jobs = jobs.running(),
                "stopping with imports unfinished; running their files again completes them"
            );
        }
    }
    tracing::info!("stopped");
    Ok(())
}

/// The staff console's address under the public URL.
fn console_url(public_url: &str) -> String {
    format!("{}/console", public_url.trim_end_matches('/'))
}

/// What `laurel serve` prints on start: the console's address, and while no staff account
/// exists, the command that creates the first (with the database options this run used).
fn first_run_message(settings: &Settings, has_staff: bool) -> String {
    let mut message = format!(
        "Laurel is running. Staff console: {}\nAPI: {}/api/v1 (documented at {}/api/v1/openapi.json)",
        console_url(&settings.public_url),
        settings.public_url.trim_end_matches('/'),
        settings.public_url.trim_end_matches('/'),
    );
    if !has_staff {
        let database = if settings.database_url == super::config::sqlite_url(&settings.data_dir) {
            format!(
                "--data-dir {}",
                shell_word(&settings.data_dir.display().to_string())
            )
        } else {
            "--database-url \"$LAUREL_DATABASE_URL\"".to_string()
        };
        message.push_str(&format!(
            "\n\nNo staff account exists yet. Create the first administrator (it asks for a \
             password), then sign in at the console:\n  laurel user create YOUR-NAME --admin {database}"
        ));
    }
    message
}

/// `text` quoted for a POSIX shell when it needs to be.
fn shell_word(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// The HTTP limits the middleware enforces, from the settings.
fn limits(settings: &Settings) -> middleware::Limits {
    middleware::Limits {
        body_limit: settings.body_limit,
        request_timeout: settings.request_timeout,
    }
}

/// The accept loop's limits, from the settings.
fn connection_limits(settings: &Settings) -> ConnectionLimits {
    ConnectionLimits {
        header_read_timeout: settings.connections.header_read_timeout,
        keep_alive_timeout: settings.connections.keep_alive_timeout,
        max_connections: settings.connections.max_connections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The settings' defaults are the server's own, so `laurel serve` with no options behaves
    /// as the server embedded with its defaults.
    #[test]
    fn the_defaults_are_the_servers() {
        let settings = Settings::for_data_dir(std::path::Path::new("unused"));
        assert_eq!(limits(&settings), middleware::Limits::default());
        assert_eq!(connection_limits(&settings), ConnectionLimits::default());
    }

    #[test]
    fn the_start_message_names_the_console_and_the_first_account() {
        let mut settings = Settings::for_data_dir(std::path::Path::new("my data"));
        settings.public_url = "https://badges.example.org".into();
        let first = first_run_message(&settings, false);
        assert!(
            first.contains("Staff console: https://badges.example.org/console\n"),
            "{first}"
        );
        assert!(
            first.contains("laurel user create YOUR-NAME --admin --data-dir 'my data'"),
            "{first}"
        );
        let later = first_run_message(&settings, true);
        assert!(!later.contains("user create"), "{later}");
        settings.database_url = "postgres://laurel@db/laurel".into();
        assert!(first_run_message(&settings, false).contains("--database-url"));
    }
}
