//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) through the
//! same entry points the cargo-fuzz targets use, on stable, in every
//! `cargo test`.

use std::path::Path;

fn replay(target: &str, entry: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut n = 0;
    for f in std::fs::read_dir(&dir).expect("the committed corpus") {
        let data = std::fs::read(f.expect("corpus entry").path()).expect("corpus file");
        entry(&data);
        n += 1;
    }
    n
}

#[test]
fn corpus_replays_without_panic() {
    assert!(replay("threshold", check_cloudtrail::fuzz::threshold) >= 10);
    assert!(replay("perfdata", check_cloudtrail::fuzz::perfdata) >= 5);
    assert!(replay("readers", check_cloudtrail::fuzz::readers) >= 10);
    assert!(replay("conditions", check_cloudtrail::fuzz::conditions) >= 10);
    assert!(replay("output", check_cloudtrail::fuzz::output) >= 5);
    assert!(replay("pipeline", check_cloudtrail::fuzz::pipeline) >= 10);
    assert!(replay("statefile", check_cloudtrail::fuzz::statefile) >= 10);
    assert!(replay("digests", check_cloudtrail::fuzz::digests) >= 10);
    assert!(replay("listings", check_cloudtrail::fuzz::listings) >= 10);
    assert!(replay("logfiles", check_cloudtrail::fuzz::logfiles) >= 10);
}
