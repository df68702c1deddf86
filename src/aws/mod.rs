//! Talking to AWS: signing, credentials, HTTP, and the service calls.

pub mod apierror;
pub mod arn;
pub mod awscli;
pub mod backend;
pub mod caller;
pub mod cloudtrail;
pub mod connection;
pub mod credentials;
pub mod crypto;
pub mod endpoint;
pub mod event;
pub mod http;
pub mod logfile;
pub mod organizations;
pub mod pager;
pub mod profile;
pub mod quota;
pub mod retry;
pub mod s3;
pub mod s3config;
pub mod selectors;
pub mod sigv4;
pub mod sts;
pub mod xml;
