//! The modes: each file turns API data into an [`Outcome`](crate::output::Outcome)
//! without I/O; `run` fetches that data through the backend.

pub mod bucketposture;
pub mod checktrailstatus;
pub mod cis;
pub mod counted;
pub mod countevents;
pub mod listtrails;
pub mod logintegrity;
pub mod securityevents;
pub mod traildelivery;
pub mod trailsecurity;
