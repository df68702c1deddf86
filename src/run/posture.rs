//! `bucketposture`'s reads: the trail's bucket (DescribeTrails or
//! `--s3-bucket`), then only the configurations the selected checks need,
//! each read on its own: a denied one leaves its check unknown and the
//! others are still read.

use super::bucket::{self, Given};
use crate::aws::arn::Arn;
use crate::aws::backend::Backend;
use crate::aws::connection::Connection;
use crate::aws::s3;
use crate::config::Posture;
use crate::error::Error;
use crate::modes::bucketposture::{self, Bucket, Read};
use crate::output::Outcome;
use crate::trace::Trace;

/// `r` kept as the check's value, or its line when refused.
fn kept<T>(r: Result<T, Error>) -> Result<Result<T, String>, Error> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(e) if e.ends_run() => Err(e),
        Err(e) => Ok(Err(e.to_string())),
    }
}

pub fn check(
    b: &Backend<'_>,
    cfg: &Posture,
    now: i64,
    conn: &Connection,
    trace: &mut Trace,
) -> Result<Outcome, Error> {
    let at = bucket::locate(
        b,
        cfg.trail.as_deref(),
        Given {
            bucket: cfg.bucket.as_deref(),
            prefix: cfg.prefix.as_deref(),
            account_id: cfg.account_id.as_deref(),
        },
        trace,
    )?;
    // The account whose Block Public Access applies is the bucket's:
    // --account-id, else the S3 role's, else the trail's.
    let role_account = conn
        .s3
        .role
        .as_ref()
        .and_then(|r| Arn::parse(&r.arn))
        .and_then(|a| a.account)
        .map(str::to_owned);
    let account = cfg
        .account_id
        .clone()
        .or(role_account)
        .or_else(|| at.account_id.clone());
    let mut read = Bucket {
        name: at.bucket.clone(),
        logs_root: bucket::logs_root(&at.prefix),
        ..Bucket::default()
    };
    let reads = cfg.opts.reads();
    b.with_s3(&at.home_region, trace, |s3, trace| {
        for r in reads {
            fetch(s3, r, &at.bucket, account.as_deref(), b, &mut read, trace)?;
        }
        Ok::<(), Error>(())
    })??;
    Ok(bucketposture::evaluate(&cfg.opts, &read, now))
}

/// One configuration into `into`.
fn fetch(
    s3: &s3::Client<'_>,
    r: Read,
    bucket: &str,
    account: Option<&str>,
    b: &Backend<'_>,
    into: &mut Bucket,
    trace: &mut Trace,
) -> Result<(), Error> {
    match r {
        Read::Lifecycle => into.lifecycle = Some(kept(s3.bucket_lifecycle(bucket, trace))?),
        Read::Versioning => into.versioning = Some(kept(s3.bucket_versioning(bucket, trace))?),
        Read::ObjectLock => into.object_lock = Some(kept(s3.bucket_object_lock(bucket, trace))?),
        Read::PublicAccess => {
            let own = kept(s3.bucket_public_access_block(bucket, trace))?;
            let account = match account {
                Some(a) => kept(s3.account_public_access_block(a, b.env(), trace))?,
                None => Err("the bucket's account is not known: give --account-id".to_owned()),
            };
            into.public_access = Some((own, account));
        }
    }
    Ok(())
}
