//! Rules of the workspace's shape, checked on the real dependency graph: each rule is one test
//! function, with a failure message that says what broke and what to do instead.

use std::process::Command;

/// The lines of `cargo tree -p PACKAGE -e normal --prefix none --locked --offline`: one package
/// a line (`name vX.Y.Z (...)`), normal dependencies only (not dev or build ones).
fn normal_dependency_tree(package: &str) -> Vec<String> {
    // Cargo sets CARGO for the tests it runs; `cargo` on PATH otherwise.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(&cargo)
        .args(["tree", "-p", package, "-e", "normal", "--prefix", "none", "--locked", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cargo} tree: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{cargo} tree -p {package} failed:\n{}{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout.lines().map(str::to_owned).collect()
}

/// The sync server depends on the domain (`muster-core`) and the wire types (`muster-wire`)
/// only: never on the client store (`muster-store`, which brings the OS keyring) nor on the
/// client (`muster-sync`). What both sides share belongs in muster-core or muster-wire.
#[test]
fn the_server_does_not_depend_on_the_client() {
    let tree = normal_dependency_tree("muster-server");
    assert!(tree.iter().any(|l| l.starts_with("muster-server ")), "unexpected cargo tree output: {tree:?}");
    let forbidden: Vec<&String> = tree
        .iter()
        .filter(|l| {
            ["keyring", "muster-store", "muster-sync"].iter().any(|name| l.starts_with(&format!("{name} ")))
        })
        .collect();
    assert!(
        forbidden.is_empty(),
        "muster-server must not depend on the client side, but its normal dependencies include {forbidden:?}. \
         Move what the server and the client share into muster-core (domain rules, e.g. muster_core::ingest) \
         or muster-wire (HTTP bodies), and depend on that instead; see \
         docs/decisions/0021-server-procedures-over-a-data-access-trait.md."
    );
}

/// The domain (`muster-core`) is pure: no storage, no network, no keyring, no runtime. Time and
/// randomness are passed in, so every reader with the same entries computes the same state.
#[test]
fn the_domain_does_no_io() {
    let tree = normal_dependency_tree("muster-core");
    let io = ["rusqlite", "keyring", "tokio", "ureq", "axum", "tauri", "muster-store", "muster-sync"];
    let forbidden: Vec<&String> =
        tree.iter().filter(|l| io.iter().any(|name| l.starts_with(&format!("{name} ")))).collect();
    assert!(
        forbidden.is_empty(),
        "muster-core must stay pure (no I/O crate), but its normal dependencies include {forbidden:?}. \
         Put storage in muster-store or muster-server and pass what the domain needs in as values."
    );
}

/// The wire types stand alone: the server and the client share them and nothing else of each other.
#[test]
fn the_wire_types_depend_on_the_domain_only() {
    let tree = normal_dependency_tree("muster-wire");
    let ours: Vec<&String> = tree
        .iter()
        .filter(|l| {
            l.starts_with("muster-") && !l.starts_with("muster-wire ") && !l.starts_with("muster-core ")
        })
        .collect();
    assert!(
        ours.is_empty(),
        "muster-wire may depend on muster-core only among Muster's crates, found {ours:?}"
    );
    assert!(
        !tree.iter().any(|l| l.starts_with("rusqlite ") || l.starts_with("keyring ")),
        "muster-wire must not bring storage or the keyring: {tree:?}"
    );
}

/// Lines of a hand-written source file that count towards the size rule: everything before a
/// `#[cfg(test)] mod ...` (Rust), the whole file otherwise. A `#[cfg(test)]` on anything else
/// (an import, a derive) does not end the count.
fn counted_lines(text: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("#[cfg(test)]") {
            let next = lines[i + 1..].iter().find(|l| !l.trim_start().starts_with("#["));
            if next.is_some_and(|l| l.starts_with("mod ")) {
                return i;
            }
        }
    }
    lines.len()
}

fn source_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if path.is_dir() {
            // Tests, generated code and dependencies are outside the rule.
            if !matches!(
                name.as_str(),
                "tests" | "test" | "target" | "node_modules" | "dist" | "gen" | "benches"
            ) {
                source_files(&path, out);
            }
        } else if [".rs", ".ts", ".svelte"].iter().any(|ext| name.ends_with(ext))
            && name != "bindings.ts"
            && name != "tests.rs"
        {
            out.push(path);
        }
    }
}

/// No hand-written source file over 600 lines (tests and generated files aside): a file that
/// grows past it holds more than one thing, and a newcomer should find a behaviour by its name.
#[test]
fn no_hand_written_source_file_is_over_600_lines() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["crates", "src-tauri/src", "ui/src", "tests/src"] {
        source_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 50, "found only {} source files under {}", files.len(), root.display());
    let mut long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let text = std::fs::read_to_string(f).ok()?;
            let n = counted_lines(&text);
            (n > 600).then(|| format!("{} ({n} lines)", f.strip_prefix(&root).unwrap_or(f).display()))
        })
        .collect();
    long.sort();
    assert!(
        long.is_empty(),
        "split these by what they are about (600 lines at most, tests aside): {long:#?}"
    );
}

/// The desktop calls the library's operations and reads (`Muster`), never the log's tables:
/// `Muster::store()` is for the sync engine, so the desktop may only hand it to `muster_sync`.
#[test]
fn the_desktop_reaches_the_log_only_through_the_sync_engine() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../src-tauri/src");
    let mut files = Vec::new();
    source_files(&root, &mut files);
    assert!(!files.is_empty(), "no source files under {}", root.display());
    let mut reaching: Vec<String> = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        for (i, line) in text.lines().enumerate() {
            let reaches = line.contains(".store()") || line.contains(".store_mut()");
            if reaches && !line.contains("session::") && !line.contains("sync_once(") {
                reaching.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(
        reaching.is_empty(),
        "the desktop reaches into the store: {reaching:#?}\nCall (or add) a `Muster` method instead."
    );
}
