//! The laptop's data directory and database, and the server's database, hold PHI: owner-only
//! whatever the umask, and an older installation's wider files are narrowed when next opened.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use muster_tests::muster_bin;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

/// Runs `muster` under `umask 000`, as a careless login shell or a service manager might.
fn muster_umask_000(home: &Path, args: &[&str]) {
    let out = Command::new("sh")
        .arg("-c")
        .arg("umask 000; exec \"$0\" \"$@\"")
        .arg(muster_bin())
        .args(args)
        .env("MUSTER_HOME", home)
        .env("MUSTER_AS", "Okafor")
        .env_remove("MUSTER_INCIDENT")
        .output()
        .unwrap();
    assert!(out.status.success(), "muster {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn the_data_directory_and_database_are_owner_only_even_under_umask_000() {
    let top = tempfile::tempdir().unwrap();
    let home = top.path().join("muster-data");
    muster_umask_000(&home, &["incident", "open", "--title", "Ransomware on PACS"]);
    muster_umask_000(&home, &["note", "the imaging servers are encrypted"]);
    assert_eq!(mode(&home), 0o700, "data directory");
    let db = home.join("muster.sqlite3");
    assert_eq!(mode(&db), 0o600, "database");
    for companion in ["muster.sqlite3-wal", "muster.sqlite3-shm"] {
        let p = home.join(companion);
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{companion}");
        }
    }
}

#[test]
fn an_older_installations_world_readable_files_are_narrowed_when_opened() {
    let top = tempfile::tempdir().unwrap();
    let home = top.path().join("muster-data");
    muster_umask_000(&home, &["incident", "open", "--title", "Ransomware on PACS"]);
    let db = home.join("muster.sqlite3");
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    muster_umask_000(&home, &["timeline"]);
    assert_eq!(mode(&home), 0o700);
    assert_eq!(mode(&db), 0o600);
}

#[test]
fn the_servers_database_is_owner_only_even_under_umask_000() {
    let top = tempfile::tempdir().unwrap();
    let db = top.path().join("server.sqlite3");
    let db_arg = db.to_str().unwrap();
    muster_umask_000(top.path(), &["server", "user", "add", "alice", "--database", db_arg]);
    assert_eq!(mode(&db), 0o600, "server database");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    muster_umask_000(top.path(), &["server", "user", "add", "bob", "--database", db_arg]);
    assert_eq!(mode(&db), 0o600, "a server database left 0644 is narrowed");
}
