//! Real partitions: the sync server and three laptops each in a network namespace of their own
//! (iproute2), joined by veth links to a bridge in the server's namespace. While the laptops
//! write, a seeded random schedule cuts and heals their links and degrades them with loss and
//! delay (`tc netem`); each laptop tries to sync whatever its link is doing. Then every link is
//! healed and everyone syncs: all must hold every entry written and the same state.
//!
//! Needs root (network namespaces) and iproute2; traffic never leaves the namespaces this test
//! makes. `MUSTER_PARTITION_SEED` replays a schedule. Run under `scripts/with-keyring`.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use muster_tests::{muster_bin, server_user_add, Installation, Rng};
use serde_json::Value;

const LAPTOPS: usize = 3;
const ROUNDS: usize = 8;
const SERVER_IP: &str = "10.77.0.1";

fn run(program: &str, args: &[&str]) -> Output {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(out.status.success(), "{program} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// The namespaces and links of one test, removed on drop (deleting a namespace removes its
/// veth ends and the bridge).
struct Network {
    prefix: String,
}

impl Network {
    fn new() -> Network {
        assert!(
            Command::new("ip").arg("-V").output().is_ok(),
            "this test needs iproute2 (`ip`, `tc`): run scripts/setup"
        );
        let prefix = format!("mp{}", std::process::id());
        let net = Network { prefix };
        let srv = net.server_ns();
        run("ip", &["netns", "add", &srv]);
        run("ip", &["-n", &srv, "link", "set", "lo", "up"]);
        run("ip", &["-n", &srv, "link", "add", "br0", "type", "bridge"]);
        run("ip", &["-n", &srv, "addr", "add", &format!("{SERVER_IP}/24"), "dev", "br0"]);
        run("ip", &["-n", &srv, "link", "set", "br0", "up"]);
        for i in 0..LAPTOPS {
            let ns = net.laptop_ns(i);
            run("ip", &["netns", "add", &ns]);
            run("ip", &["-n", &ns, "link", "set", "lo", "up"]);
            // One veth pair per laptop: `lan` in the laptop, `up{i}` on the server's bridge.
            run(
                "ip",
                &[
                    "-n",
                    &ns,
                    "link",
                    "add",
                    "lan",
                    "type",
                    "veth",
                    "peer",
                    "name",
                    &format!("up{i}"),
                    "netns",
                    &srv,
                ],
            );
            run("ip", &["-n", &ns, "addr", "add", &format!("10.77.0.{}/24", 10 + i), "dev", "lan"]);
            run("ip", &["-n", &ns, "link", "set", "lan", "up"]);
            run("ip", &["-n", &srv, "link", "set", &format!("up{i}"), "master", "br0"]);
            run("ip", &["-n", &srv, "link", "set", &format!("up{i}"), "up"]);
        }
        net
    }

    fn server_ns(&self) -> String {
        format!("{}-srv", self.prefix)
    }

    fn laptop_ns(&self, i: usize) -> String {
        format!("{}-l{i}", self.prefix)
    }

    /// Puts laptop `i`'s link in `state`: up, cut, or lossy (loss and delay both ways).
    fn set_link(&self, i: usize, state: Link) {
        let srv = self.server_ns();
        let ns = self.laptop_ns(i);
        let port = format!("up{i}");
        let ends = [(srv.as_str(), port.as_str()), (ns.as_str(), "lan")];
        for (ns, dev) in ends {
            // Clear the degradation of the last round first (absent is fine).
            let _ = Command::new("ip")
                .args(["netns", "exec", ns, "tc", "qdisc", "del", "dev", dev, "root"])
                .output();
            let _ = Command::new("ip")
                .args(["netns", "exec", ns, "nft", "delete", "table", "inet", "muster"])
                .output();
        }
        let updown = if matches!(state, Link::Cut) { "down" } else { "up" };
        run("ip", &["-n", &srv, "link", "set", &port, updown]);
        if matches!(state, Link::Lossy) {
            for (ns, dev) in ends {
                degrade(ns, dev);
            }
        }
    }
}

/// Loss and delay on one end of a link: `tc netem` where the kernel has it; otherwise (some
/// virtual machines' kernels lack sch_netem) 20% of packets dropped at random by nftables and
/// the rate cut to 256 kbit/s by a token bucket, whose queue delays what it lets through.
fn degrade(ns: &str, dev: &str) {
    let netem = Command::new("ip")
        .args([
            "netns", "exec", ns, "tc", "qdisc", "add", "dev", dev, "root", "netem", "loss", "20%", "delay",
            "150ms", "50ms",
        ])
        .output()
        .unwrap();
    if netem.status.success() {
        return;
    }
    run(
        "ip",
        &[
            "netns", "exec", ns, "tc", "qdisc", "add", "dev", dev, "root", "tbf", "rate", "256kbit", "burst",
            "16kbit", "latency", "300ms",
        ],
    );
    run("ip", &["netns", "exec", ns, "nft", "add", "table", "inet", "muster"]);
    for hook in ["input", "output"] {
        run(
            "ip",
            &[
                "netns",
                "exec",
                ns,
                "nft",
                &format!("add chain inet muster {hook} {{ type filter hook {hook} priority 0; }}"),
            ],
        );
        run(
            "ip",
            &[
                "netns",
                "exec",
                ns,
                "nft",
                &format!("add rule inet muster {hook} numgen random mod 10 < 2 drop"),
            ],
        );
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        for ns in (0..LAPTOPS).map(|i| self.laptop_ns(i)).chain([self.server_ns()]) {
            let _ = Command::new("ip").args(["netns", "del", &ns]).output();
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Link {
    Up,
    Cut,
    Lossy,
}

/// `muster` run by installation `who` inside namespace `ns`, with the kernel keyring (abstract
/// D-Bus sockets do not cross network namespaces; the session keyring does).
fn muster_in(ns: &str, who: &Installation, args: &[&str]) -> Command {
    let mut c = Command::new("ip");
    c.args(["netns", "exec", ns]).arg(muster_bin()).args(args);
    c.env("MUSTER_HOME", who.home.path())
        .env("MUSTER_AS", &who.person)
        .env("TZ", &who.tz)
        .env("MUSTER_KEYRING", "keyutils")
        .env_remove("MUSTER_INCIDENT");
    c
}

fn json_in(ns: &str, who: &Installation, args: &[&str]) -> Value {
    let mut full = vec!["--json"];
    full.extend_from_slice(args);
    let out = muster_in(ns, who, &full).output().unwrap();
    assert!(out.status.success(), "muster {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// One sync attempt, given up after 25 s (a cut link can hold a connection until its timeout).
/// Whether it worked is the network's business; what it must never do is lose or corrupt.
fn try_sync(ns: &str, who: &Installation) -> bool {
    let mut c = Command::new("timeout");
    let inner = muster_in(ns, who, &["--json", "sync"]);
    c.arg("25").arg(inner.get_program()).args(inner.get_args());
    for (k, v) in inner.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    c.stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap().success()
}

fn self_signed_certificate(dir: &Path) -> (String, String) {
    let cert = dir.join("cert.pem").to_str().unwrap().to_string();
    let key = dir.join("key.pem").to_str().unwrap().to_string();
    run(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &cert,
            "-days",
            "2",
            "-subj",
            &format!("/CN={SERVER_IP}"),
            "-addext",
            &format!("subjectAltName=IP:{SERVER_IP}"),
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-addext",
            "keyUsage=critical,digitalSignature",
            "-addext",
            "extendedKeyUsage=serverAuth",
        ],
    );
    (cert, key)
}

/// `muster serve` on the server's bridge address, HTTPS, in the server's namespace.
fn serve(net: &Network, db: &str, cert: &str, key: &str, log: &Path) -> (Child, String) {
    let mut child = Command::new("ip")
        .args(["netns", "exec", &net.server_ns()])
        .arg(muster_bin())
        .args([
            "serve",
            "--listen",
            &format!("{SERVER_IP}:0"),
            "--database",
            db,
            "--tls-cert",
            cert,
            "--tls-key",
            key,
        ])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let event: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    (child, event["url"].as_str().unwrap().to_string())
}

#[test]
fn three_laptops_converge_through_cuts_loss_and_delay() {
    let seed: u64 =
        std::env::var("MUSTER_PARTITION_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
        });
    eprintln!("partition schedule seed: MUSTER_PARTITION_SEED={seed}");
    let mut rng = Rng(seed);

    let net = Network::new();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed_certificate(dir.path());
    let db = dir.path().join("server.sqlite3").to_str().unwrap().to_string();
    let (mut server, url) = serve(&net, &db, &cert, &key, &dir.path().join("server.log"));

    let names = ["Okafor", "Lindqvist", "Haddad"];
    let laptops: Vec<Installation> = names.iter().map(|n| Installation::new(n)).collect();
    for (i, who) in laptops.iter().enumerate() {
        let user = format!("user{i}");
        let token = server_user_add(&db, &user);
        json_in(
            &net.laptop_ns(i),
            who,
            &["login", "--server", &url, "--user", &user, "--token", &token, "--ca-cert", &cert],
        );
    }
    let opened =
        json_in(&net.laptop_ns(0), &laptops[0], &["incident", "open", "--title", "Ransomware on PACS"]);
    let incident = opened["incident"].as_str().unwrap().to_string();
    for i in 1..LAPTOPS {
        json_in(&net.laptop_ns(0), &laptops[0], &["share", "--with", &format!("user{i}")]);
    }
    assert!(try_sync(&net.laptop_ns(0), &laptops[0]));
    for (i, who) in laptops.iter().enumerate().skip(1) {
        assert!(try_sync(&net.laptop_ns(i), who));
        json_in(&net.laptop_ns(i), who, &["incident", "use", &incident]);
    }

    let mut written = 0usize;
    let mut synced_through_loss = 0usize;
    for round in 0..ROUNDS {
        let links: Vec<Link> = (0..LAPTOPS)
            .map(|_| match rng.next_u64() % 3 {
                0 => Link::Up,
                1 => Link::Cut,
                _ => Link::Lossy,
            })
            .collect();
        for (i, link) in links.iter().enumerate() {
            net.set_link(i, *link);
        }
        for (i, who) in laptops.iter().enumerate() {
            let notes = 1 + (rng.next_u64() % 2) as usize;
            for n in 0..notes {
                json_in(&net.laptop_ns(i), who, &["note", &format!("round {round}, laptop {i}, note {n}")]);
                written += 1;
            }
            if try_sync(&net.laptop_ns(i), who) && matches!(links[i], Link::Lossy) {
                synced_through_loss += 1;
            }
        }
        eprintln!("round {round}: links {links:?}");
    }

    // Heal everything; two rounds of syncs carry every entry everywhere.
    for i in 0..LAPTOPS {
        net.set_link(i, Link::Up);
    }
    for _ in 0..2 {
        for (i, who) in laptops.iter().enumerate() {
            assert!(try_sync(&net.laptop_ns(i), who), "laptop {i} cannot sync over a healed link");
        }
    }
    let expected = laptops[0].stored_entries();
    let opening = 3; // incident.opened, the first commander, the severity
    assert_eq!(expected as usize, opening + written, "an entry was lost (seed {seed})");
    let digest_of = |i: usize| json_in(&net.laptop_ns(i), &laptops[i], &["show"])["state_digest"].clone();
    let digest = digest_of(0);
    for (i, who) in laptops.iter().enumerate() {
        assert_eq!(who.stored_entries(), expected, "laptop {i} lacks entries (seed {seed})");
        assert_eq!(digest_of(i), digest, "laptop {i} has another state (seed {seed})");
        assert_eq!(json_in(&net.laptop_ns(i), who, &["verify"])["ok"], true, "laptop {i} does not verify");
    }
    eprintln!("{written} notes written; {synced_through_loss} syncs got through a lossy link");
    let _ = server.kill();
    let _ = server.wait();
}
