#![allow(clippy::unwrap_used, clippy::expect_used)]
use std::sync::Arc;
use std::time::Instant;
fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    let store =
        muster_store::Store::open(&dir.join("muster.sqlite3"), Arc::new(muster_store::SystemClock::new()))
            .unwrap();
    let id = store.incident_ids().unwrap()[0];
    for _ in 0..3 {
        let t = Instant::now();
        let s = store.state(id).unwrap();
        println!("state: {:?} ({} items)", t.elapsed(), s.timeline.len());
        let t = Instant::now();
        let e = store.entries(id).unwrap();
        println!("entries: {:?} ({})", t.elapsed(), e.len());
    }
}
