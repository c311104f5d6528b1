//! Objects of `tftest_thing` as JSON files, one per ID.

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::thing::ThingModel;

/// The provider's data: the directory where objects live.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    counter: AtomicU64,
}

impl Store {
    /// Opens (and creates) the directory.
    ///
    /// # Errors
    /// When the directory cannot be created.
    pub fn open(dir: PathBuf) -> io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(Self {
            dir,
            counter: AtomicU64::new(0),
        })
    }

    /// A fresh object ID, unique across provider processes.
    #[must_use]
    pub fn new_id(&self) -> String {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("thing-{nanos:x}-{n}")
    }

    fn path(&self, id: &str) -> io::Result<PathBuf> {
        // IDs come from users on import: keep them inside the directory.
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{id:?} is not a valid ID"),
            ));
        }
        Ok(self.dir.join(format!("{id}.json")))
    }

    /// The stored object, `None` when it does not exist.
    ///
    /// # Errors
    /// When the file cannot be read or parsed, or the ID is malformed.
    pub fn load(&self, id: &str) -> io::Result<Option<ThingModel>> {
        match std::fs::read(self.path(id)?) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(io::Error::other),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Stores the object under `id`.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn save(&self, id: &str, thing: &ThingModel) -> io::Result<()> {
        let bytes = serde_json::to_vec_pretty(thing).map_err(io::Error::other)?;
        std::fs::write(self.path(id)?, bytes)
    }

    /// Removes the object; a missing one is fine.
    ///
    /// # Errors
    /// When the file exists but cannot be removed.
    pub fn remove(&self, id: &str) -> io::Result<()> {
        match std::fs::remove_file(self.path(id)?) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

impl Store {
    /// The IDs of every stored object, sorted.
    ///
    /// # Errors
    /// When the directory cannot be read.
    pub fn ids(&self) -> io::Result<Vec<String>> {
        let mut ids = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let name = entry?.file_name();
            if let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".json")) {
                ids.push(id.to_owned());
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// Appends one line to `actions.log`, the record of action outcomes tests read.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn log_action(&self, line: &str) -> io::Result<()> {
        use std::io::Write as _;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("actions.log"))?;
        writeln!(file, "{line}")
    }
}

/// Seconds since the epoch, as text.
#[must_use]
pub(crate) fn now() -> String {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
        .to_string()
}
