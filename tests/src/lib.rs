//! Helpers for Muster's cross-crate tests: run the real `muster` binary against throwaway
//! installations (each its own data directory and device key in the real OS keyring).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

/// The `muster` binary, built once per test process (`cargo build -p muster-cli`), or the one
/// named by `MUSTER_BIN`.
pub fn muster_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Ok(path) = std::env::var("MUSTER_BIN") {
            return PathBuf::from(path);
        }
        // target/<profile>/deps/<test binary> -> target/<profile>
        let exe = std::env::current_exe().expect("test binary path");
        let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>").to_path_buf();
        let target_dir = profile_dir.parent().expect("target dir").to_path_buf();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "-p", "muster-cli", "--bin", "muster"])
            .env("CARGO_TARGET_DIR", &target_dir)
            .status()
            .expect("run cargo build for the muster binary");
        assert!(status.success(), "building the muster binary failed");
        target_dir.join("debug").join(format!("muster{}", std::env::consts::EXE_SUFFIX))
    })
    .clone()
}

/// One installation of Muster in a temporary directory.
#[derive(Debug)]
pub struct Installation {
    pub home: tempfile::TempDir,
    pub tz: String,
    pub person: String,
}

impl Installation {
    pub fn new(person: &str) -> Self {
        Installation {
            home: tempfile::tempdir().unwrap(),
            tz: "America/Chicago".into(),
            person: person.into(),
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.home.path().join("muster.sqlite3")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(muster_bin());
        c.args(args)
            .env("MUSTER_HOME", self.home.path())
            .env("MUSTER_AS", &self.person)
            .env("TZ", &self.tz)
            .env_remove("MUSTER_INCIDENT");
        c
    }

    pub fn output(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.output(args);
        assert!(
            out.status.success(),
            "muster {args:?} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs with --json and parses stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    /// Runs and expects failure; returns (exit code, stderr).
    pub fn fails(&self, args: &[&str]) -> (i32, String) {
        let out = self.output(args);
        assert!(
            !out.status.success(),
            "muster {args:?} should have failed but printed:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        (out.status.code().unwrap_or(-1), String::from_utf8(out.stderr).unwrap())
    }

    /// Number of rows in the log, read directly from the SQLite file.
    pub fn stored_entries(&self) -> i64 {
        if !self.db_path().exists() {
            return 0;
        }
        let conn = rusqlite::Connection::open(self.db_path()).unwrap();
        conn.query_row("SELECT count(*) FROM entries", [], |r| r.get(0)).unwrap()
    }

    pub fn sql(&self, sql: &str) {
        let conn = rusqlite::Connection::open(self.db_path()).unwrap();
        conn.execute_batch(sql).unwrap();
    }

    /// The current incident's state digest (from `muster show --json`).
    pub fn digest(&self) -> String {
        self.json(&["show"])["state_digest"].as_str().unwrap().to_string()
    }
}

/// A running `muster serve` (killed on drop): its URL, from the first stdout line, and the
/// file its stderr (the JSON request log) goes to.
#[derive(Debug)]
pub struct ServeProcess {
    pub child: std::process::Child,
    pub url: String,
    pub log: PathBuf,
}

impl ServeProcess {
    /// `muster serve --listen 127.0.0.1:0 --database DATABASE EXTRA...`, stderr into `log`.
    pub fn start(database: &str, extra: &[&str], log: &Path) -> ServeProcess {
        use std::io::{BufRead, BufReader};
        let mut child = Command::new(muster_bin())
            .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let event: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        assert_eq!(event["event"], "listening");
        ServeProcess { child, url: event["url"].as_str().unwrap().to_string(), log: log.to_path_buf() }
    }

    /// SIGKILL (on Unix) and reap.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A `muster serve` on 127.0.0.1:0 over a SQLite file of its own, with a helper that creates a
/// server user and logs an installation in as them.
#[derive(Debug)]
pub struct SyncServer {
    pub process: ServeProcess,
    pub url: String,
    pub db: String,
    _dir: tempfile::TempDir,
}

impl SyncServer {
    pub fn start() -> SyncServer {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("server.sqlite3").to_str().unwrap().to_string();
        let process = ServeProcess::start(&db, &[], &dir.path().join("server.log"));
        SyncServer { url: process.url.clone(), process, db, _dir: dir }
    }

    /// Creates `user` on the server and logs `who` in as them.
    pub fn login(&self, who: &Installation, user: &str) {
        let token = server_user_add(&self.db, user);
        let v = who.json(&["login", "--server", &self.url, "--user", user, "--token", &token]);
        assert_eq!(v["user"], user);
    }
}

/// `muster server user add NAME --database DATABASE --json`: the one-time enrolment token.
pub fn server_user_add(database: &str, name: &str) -> String {
    let out = Command::new(muster_bin())
        .args(["--json", "server", "user", "add", name, "--database", database])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["user"], name);
    v["token"].as_str().unwrap().to_string()
}

/// xorshift64: reproducible schedules for the crash tests (seeded, printed, replayable).
#[derive(Debug)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}
