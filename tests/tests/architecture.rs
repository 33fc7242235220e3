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
