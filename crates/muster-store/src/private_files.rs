//! The data directory and the database files are the owner's alone: the notes in them are PHI.
//! Modes are set explicitly — directory 0700, files 0600 — rather than left to the umask (under
//! `umask 000` SQLite would create them 0777/0666), and files left wider by an older Muster are
//! narrowed when the database is opened. SQLite gives the `-wal` and `-shm` files it creates the
//! main file's permissions; those already present are narrowed too.

use std::path::Path;

use crate::error::{Result, StoreError};

/// Creates `dir` (and its parents) if needed and makes it owner-only.
pub(crate) fn private_dir(dir: &Path) -> Result<()> {
    let io = |source| StoreError::Io { path: dir.display().to_string(), source };
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        if !dir.exists() {
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(io)?;
        }
        // An existing directory is narrowed when it is wider. Best effort: a directory this
        // user does not own (a shared `--data-dir`) cannot be, and the files in it are 0600.
        let mode = std::fs::metadata(dir).map_err(io)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir).map_err(io)?;
    Ok(())
}

/// Creates the database file owner-only before SQLite opens it, and narrows the database and
/// its `-wal`/`-shm` companions when they exist with wider modes.
pub(crate) fn private_database(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let io = |p: &Path| {
            let shown = p.display().to_string();
            move |source| StoreError::Io { path: shown, source }
        };
        if !path.exists() {
            // Created empty: SQLite takes an empty file for a new database.
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(path)
                .map_err(io(path))?;
        }
        let mut companions = vec![path.to_path_buf()];
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            companions.push(name.into());
        }
        for file in companions.iter().filter(|f| f.is_file()) {
            let mode = std::fs::metadata(file).map_err(io(file))?.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600)).map_err(io(file))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
