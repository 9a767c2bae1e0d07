//! The key-encryption key (KEK) that seals issuers' private keys before they reach the store.
//!
//! Why: the database is the thing most often copied (backups, replicas, a laptop for
//! debugging), so it must never hold a usable private key. Every issuer key is sealed with
//! AES-256-GCM under the KEK, which lives outside the database: in `LAUREL_SECRET_KEY`, or in
//! `secret.key` in the data folder (owner-only). Several instances sharing one PostgreSQL
//! database must share the KEK, and [`Vault::check`] stops an instance that has the wrong one
//! before it signs anything.
//!
//! Sealed format: `version (1 byte) ‖ nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`. The
//! additional authenticated data is the key row's id, so a sealed key copied into another row
//! (another issuer's) fails to open instead of signing as the wrong issuer.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use laurel_core::keys::Zeroizing;
use laurel_store::{Store, StoreError};

/// The first byte of everything sealed; bumped if the format ever changes.
const VERSION: u8 = 1;
/// Length of the AES-GCM tag appended to the ciphertext.
const TAG_LEN: usize = 16;
/// The setting that holds a sealed canary, to detect a KEK that does not match the database.
const CHECK_SETTING: &str = "kek_check";
/// What the canary seals (not secret: it only proves the key opens it).
const CHECK_PLAINTEXT: &[u8] = b"laurel key-encryption key check v1";
/// The file in the data folder that holds a generated KEK.
pub const SECRET_FILE: &str = "secret.key";

/// Why the vault could not be set up or could not open something.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// The KEK text is not 32 bytes in base64url or hex (the value itself is never shown).
    #[error(
        "{source_name} is not a valid key: expected 32 bytes as base64url (43 characters) or hex (64 characters); generate one with `openssl rand -hex 32`"
    )]
    BadKey {
        /// Where the text came from (`LAUREL_SECRET_KEY` or a file path).
        source_name: String,
    },
    /// Reading or writing the key file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The database's issuer keys were sealed with another KEK.
    #[error(
        "LAUREL_SECRET_KEY does not match the key that sealed this database's issuer keys; every instance sharing a database needs the same key"
    )]
    Mismatch,
    /// Sealed data could not be opened: wrong key, wrong row, or corrupted.
    #[error(
        "a sealed value could not be opened (wrong key-encryption key, wrong row, or corrupted)"
    )]
    Open,
    /// The operating system's random generator or the cipher failed.
    #[error("encryption failed")]
    Crypto,
    /// The store could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Seals and opens secrets with the key-encryption key. `Debug` never shows the key.
pub struct Vault {
    key: RandomizedNonceKey,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault([redacted])")
    }
}

impl Vault {
    /// A vault over a 32-byte KEK.
    pub fn new(kek: [u8; 32]) -> Self {
        let kek = Zeroizing::new(kek);
        // AES-256-GCM takes exactly 32 key bytes, which the array type guarantees; `new`
        // fails only for other lengths or algorithms.
        let key = RandomizedNonceKey::new(&AES_256_GCM, kek.as_ref())
            .expect("a 32-byte key is valid for AES-256-GCM");
        Vault { key }
    }

    /// A vault from KEK text: base64url (padded or not) of 32 bytes, or 64 hex digits.
    /// Surrounding whitespace is ignored.
    pub fn from_text(text: &str) -> Result<Self, VaultError> {
        Self::parse(text, "the secret key")
    }

    fn parse(text: &str, source_name: &str) -> Result<Self, VaultError> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(text).ok()
        } else {
            URL_SAFE_NO_PAD
                .decode(text)
                .or_else(|_| URL_SAFE.decode(text))
                .ok()
        };
        let bytes = Zeroizing::new(bytes.unwrap_or_default());
        let kek: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| VaultError::BadKey {
                source_name: source_name.to_string(),
            })?;
        Ok(Self::new(kek))
    }

    /// A new random KEK, and its text (base64url without padding) to keep.
    pub fn generate() -> Result<(Self, Zeroizing<String>), VaultError> {
        let mut kek = Zeroizing::new([0u8; 32]);
        aws_lc_rs::rand::fill(kek.as_mut()).map_err(|_| VaultError::Crypto)?;
        let text = Zeroizing::new(URL_SAFE_NO_PAD.encode(kek.as_ref()));
        Ok((Self::new(*kek), text))
    }

    /// The service's vault: `from_env` (the `LAUREL_SECRET_KEY` value) if set and non-empty;
    /// else `{data_dir}/secret.key`; else a new key written there with mode 0600.
    ///
    /// The file is created with `create_new`, so two processes starting at once never
    /// overwrite each other's key: the loser reads the winner's.
    pub fn load(data_dir: &Path, from_env: Option<&str>) -> Result<Self, VaultError> {
        if let Some(text) = from_env.filter(|text| !text.trim().is_empty()) {
            return Self::parse(text, "LAUREL_SECRET_KEY");
        }
        let path = data_dir.join(SECRET_FILE);
        let io = |source| VaultError::Io {
            path: path.clone(),
            source,
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => return Self::read_file_text(&path, &text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(io(error)),
        }
        std::fs::create_dir_all(data_dir).map_err(|source| VaultError::Io {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let (vault, text) = Self::generate()?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        match options.open(&path) {
            Ok(mut file) => {
                // The mode given to `open` is filtered by the umask; this is not.
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt as _;
                    file.set_permissions(std::fs::Permissions::from_mode(0o600))
                        .map_err(io)?;
                }
                file.write_all(format!("{}\n", text.as_str()).as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(io)?;
                tracing::info!(path = %path.display(), "generated a new key-encryption key");
                Ok(vault)
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                // Another process created it first; it may still be writing the 44 bytes.
                for _ in 0..50 {
                    let text = std::fs::read_to_string(&path).map_err(io)?;
                    if !text.trim().is_empty() {
                        return Self::read_file_text(&path, &text);
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(VaultError::BadKey {
                    source_name: path.display().to_string(),
                })
            }
            Err(error) => Err(io(error)),
        }
    }

    fn read_file_text(path: &Path, text: &str) -> Result<Self, VaultError> {
        let text = Zeroizing::new(text.to_string());
        Self::parse(&text, &path.display().to_string())
    }

    /// Encrypts `plaintext`, bound to `aad` (the key row's id): opening needs the same `aad`.
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, VaultError> {
        let mut in_out = Zeroizing::new(plaintext.to_vec());
        let nonce = self
            .key
            .seal_in_place_append_tag(Aad::from(aad), &mut *in_out)
            .map_err(|_| VaultError::Crypto)?;
        let mut sealed = Vec::with_capacity(1 + NONCE_LEN + in_out.len());
        sealed.push(VERSION);
        sealed.extend_from_slice(nonce.as_ref());
        sealed.extend_from_slice(&in_out);
        Ok(sealed)
    }

    /// Decrypts what [`seal`](Self::seal) made with the same `aad`. The plaintext is zeroed
    /// when dropped.
    pub fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        let (&version, rest) = sealed.split_first().ok_or(VaultError::Open)?;
        if version != VERSION || rest.len() < NONCE_LEN + TAG_LEN {
            return Err(VaultError::Open);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| VaultError::Open)?;
        let mut in_out = Zeroizing::new(ciphertext.to_vec());
        let plaintext_len = self
            .key
            .open_in_place(nonce, Aad::from(aad), &mut in_out)
            .map_err(|_| VaultError::Open)?
            .len();
        in_out.truncate(plaintext_len);
        Ok(in_out)
    }

    /// Checks that this vault's KEK is the one the database's keys were sealed with.
    ///
    /// On the first start the store has no canary and one is sealed and stored (the first
    /// instance to start wins, and the others then check against it). Afterwards the stored
    /// canary must open, or [`VaultError::Mismatch`] says why the service cannot start.
    pub async fn check(&self, store: &dyn Store) -> Result<(), VaultError> {
        let canary = URL_SAFE_NO_PAD.encode(self.seal(CHECK_SETTING.as_bytes(), CHECK_PLAINTEXT)?);
        let stored = store.setting_init(CHECK_SETTING, &canary).await?;
        let sealed = URL_SAFE_NO_PAD
            .decode(stored.trim())
            .map_err(|_| VaultError::Mismatch)?;
        match self.open(CHECK_SETTING.as_bytes(), &sealed) {
            Ok(plaintext) if plaintext.as_slice() == CHECK_PLAINTEXT => Ok(()),
            _ => Err(VaultError::Mismatch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_then_open_round_trips_and_binds_the_aad() {
        let (vault, _) = Vault::generate().expect("rng");
        let sealed = vault.seal(b"row-1", b"private key").expect("seal");
        assert_eq!(sealed[0], VERSION);
        assert_eq!(sealed.len(), 1 + NONCE_LEN + 11 + TAG_LEN);
        assert_eq!(
            vault.open(b"row-1", &sealed).expect("open").as_slice(),
            b"private key"
        );
        assert!(matches!(
            vault.open(b"row-2", &sealed),
            Err(VaultError::Open)
        ));
        let again = vault.seal(b"row-1", b"private key").expect("seal");
        assert_ne!(sealed, again, "a fresh nonce per seal");
    }

    #[test]
    fn another_key_or_a_flipped_bit_does_not_open() {
        let (vault, _) = Vault::generate().expect("rng");
        let (other, _) = Vault::generate().expect("rng");
        let mut sealed = vault.seal(b"a", b"secret").expect("seal");
        assert!(other.open(b"a", &sealed).is_err());
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(vault.open(b"a", &sealed).is_err());
        assert!(vault.open(b"a", &[]).is_err());
        assert!(vault.open(b"a", &[VERSION, 0, 0]).is_err());
    }

    #[test]
    fn text_forms_hex_and_base64url_name_the_same_key() {
        let bytes = [7u8; 32];
        let from_hex = Vault::from_text(&hex::encode(bytes)).expect("hex");
        let from_b64 =
            Vault::from_text(&format!(" {}\n", URL_SAFE_NO_PAD.encode(bytes))).expect("base64url");
        let sealed = from_hex.seal(b"x", b"y").expect("seal");
        assert_eq!(from_b64.open(b"x", &sealed).expect("open").as_slice(), b"y");
        let error = Vault::from_text("short").expect_err("too short");
        assert!(error.to_string().contains("32 bytes"));
        assert!(
            !error.to_string().contains("short"),
            "the value is never echoed"
        );
    }

    #[test]
    fn generated_text_loads_back() {
        let (vault, text) = Vault::generate().expect("rng");
        let sealed = vault.seal(b"k", b"v").expect("seal");
        let again = Vault::from_text(&text).expect("text");
        assert_eq!(again.open(b"k", &sealed).expect("open").as_slice(), b"v");
    }

    #[test]
    fn debug_is_redacted() {
        let vault = Vault::new([1u8; 32]);
        assert_eq!(format!("{vault:?}"), "Vault([redacted])");
    }

    #[test]
    fn load_prefers_env_then_file_then_generates_owner_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let first = Vault::load(&data, None).expect("generate");
        let path = data.join(SECRET_FILE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("file").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let sealed = first.seal(b"k", b"v").expect("seal");
        let second = Vault::load(&data, Some("")).expect("read file");
        assert_eq!(second.open(b"k", &sealed).expect("open").as_slice(), b"v");
        let from_env = Vault::load(&data, Some(&hex::encode([9u8; 32]))).expect("env");
        assert!(from_env.open(b"k", &sealed).is_err());
        assert!(matches!(
            Vault::load(&data, Some("nope")),
            Err(VaultError::BadKey { source_name }) if source_name == "LAUREL_SECRET_KEY"
        ));
    }
}
