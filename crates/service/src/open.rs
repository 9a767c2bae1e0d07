//! Opening the service's parts from its settings: the data folder, the database (migrated),
//! and the key-encryption key, checked against the database.
//!
//! `laurel serve` and every `laurel` command that works on the service's data open it the
//! same way, so a command sees exactly what the running service sees.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::email::EmailOptions;
use crate::vault::VaultError;
use crate::{Service, SystemClock, Urls, Vault};

/// Where the service keeps its data, and what it calls itself.
#[derive(Clone)]
pub struct Setup {
    /// The data folder: the SQLite database and `secret.key` by default.
    pub data_dir: PathBuf,
    /// The database URL (`sqlite:` or `postgres:`).
    pub database_url: String,
    /// The origin ids and documents are built from.
    pub public_url: String,
    /// The key-encryption key given in the environment, if any (else `secret.key`).
    pub secret_key: Option<String>,
    /// How the email worker behaves.
    pub email: EmailOptions,
}

impl Setup {
    /// Everything in `data_dir` (an SQLite database there), everything else at its default:
    /// for tests, benchmarks and embedding.
    pub fn for_data_dir(data_dir: &Path) -> Self {
        Setup {
            data_dir: data_dir.to_path_buf(),
            database_url: sqlite_url(data_dir),
            public_url: "http://127.0.0.1:8080".into(),
            secret_key: None,
            email: EmailOptions::default(),
        }
    }
}

/// The default database: `laurel.db` in the data folder.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("laurel.db").display())
}

impl std::fmt::Debug for Setup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Setup")
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &laurel_store::redact_url(&self.database_url),
            )
            .field("public_url", &self.public_url)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

/// Why the service could not open. Each message says what to fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The data folder could not be created.
    #[error("cannot create the data folder {path}")]
    DataDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The database could not be opened or migrated.
    /// (The store's message, shown as the cause, names the URL, redacted.)
    #[error("cannot open the database")]
    Store {
        /// The database URL, password redacted.
        url: String,
        /// Why.
        source: laurel_store::StoreError,
    },
    /// The key-encryption key could not be loaded, or does not fit the database.
    #[error(transparent)]
    Vault(#[from] VaultError),
}

/// Opens everything the service needs: creates the data folder, opens and migrates the
/// database, loads (or on first start generates) the key-encryption key and checks it against
/// the database. Warns when the data folder or its secrets are open to other users.
pub async fn open(setup: &Setup) -> Result<Service, OpenError> {
    create_data_dir(setup)?;
    let store = connect(setup).await?;
    let vault = Vault::load(&setup.data_dir, setup.secret_key.as_deref())?;
    vault.check(store.as_ref()).await?;
    warn_if_exposed(setup);
    Ok(Service::new(
        store,
        Urls::new(&setup.public_url),
        vault,
        Arc::new(SystemClock),
    )
    .with_email(setup.email.clone()))
}

/// Opens only the database (for `laurel token`): the data folder is created for SQLite, and
/// migrations run, but no key material is touched.
pub async fn open_store(setup: &Setup) -> Result<Arc<dyn laurel_store::Store>, OpenError> {
    if setup.database_url.starts_with("sqlite:") {
        create_data_dir(setup)?;
    }
    connect(setup).await
}

async fn connect(setup: &Setup) -> Result<Arc<dyn laurel_store::Store>, OpenError> {
    laurel_store::connect(&setup.database_url)
        .await
        .map_err(|source| OpenError::Store {
            url: laurel_store::redact_url(&setup.database_url),
            source,
        })
}

/// Creates the data folder (owner-only on Unix: it may hold `secret.key` and the database).
fn create_data_dir(setup: &Setup) -> Result<(), OpenError> {
    let path = &setup.data_dir;
    let error = |source| OpenError::DataDir {
        path: path.clone(),
        source,
    };
    if path.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(path).map_err(error)?;
    // The mode above is filtered by the umask; this is not.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).map_err(error)?;
    }
    Ok(())
}

/// Warns, with the command that fixes it, when the data folder, `secret.key` or the SQLite
/// database can be read or changed by other users of the machine: whoever reads `secret.key`
/// and the database can sign as every issuer.
fn warn_if_exposed(setup: &Setup) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = &setup.data_dir;
        let mut files = vec![dir.join(crate::vault::SECRET_FILE)];
        if let Some(database) = sqlite_file(&setup.database_url) {
            files.push(database);
        }
        let exposed = |path: &std::path::Path| {
            std::fs::metadata(path)
                .ok()
                .is_some_and(|meta| meta.permissions().mode() & 0o077 != 0)
        };
        if exposed(dir) {
            tracing::warn!(
                path = %dir.display(),
                "the data folder {} is open to other users of this machine, who could read the \
                 signing keys; make it owner-only: chmod 700 {}",
                dir.display(),
                dir.display()
            );
        }
        for file in files.iter().filter(|file| exposed(file)) {
            tracing::warn!(
                path = %file.display(),
                "{} can be read by other users of this machine, and with it the signing keys; \
                 make it owner-only: chmod 600 {}",
                file.display(),
                file.display()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = setup;
}

/// The database file of a `sqlite:` URL (`None` for PostgreSQL and in-memory databases).
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}
