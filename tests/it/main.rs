#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Integration tests: the built binary against a loopback server that
//! checks what was sent and answers like CloudTrail.
//!
//! - `util`: the loopback server and the binary runner.
//! - `architecture`: the shape of `src/` (no import cycle, modes without I/O, file sizes).
//! - `bounds`: every input bounded in memory and time (file caps, page
//!   bounds, child output, `--timeout` over matching).
//! - `trailstatus`, `countevents`: the two modes, request shape included.
//! - `countevents_beyond`: countevents' filters and options beyond upstream.
//! - `robot`: Centreon's own robot cases, same options and lines.
//! - `failures`: AWS errors and transport failures end as UNKNOWN.
//! - `invocation`: help, version, lists and exit codes of the binary.
//! - `generic`: Centreon's generic output and framework options.

mod alltrails;
mod architecture;
mod bounds;
mod bucketposture;
mod contrib;
mod countevents;
mod countevents_beyond;
mod credentials;
mod failures;
mod faults;
mod fuzz_corpus;
mod generic;
mod hostile;
mod invocation;
mod limits;
mod listtrails;
mod logintegrity;
mod logsource;
mod regions;
mod retries;
mod robot;
mod s3;
mod s3config;
mod s3role;
mod scale;
mod secrets;
mod securityevents;
mod statedir;
mod textfile;
mod traildelivery;
mod trailsecurity;
mod trailstatus;
mod util;
