#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;
use crate::output::text;

const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
const ALL_ON: PublicAccessBlock = PublicAccessBlock {
    block_public_acls: true,
    ignore_public_acls: true,
    block_public_policy: true,
    restrict_public_buckets: true,
};

fn hardened() -> Bucket {
    Bucket {
        name: "logs".into(),
        logs_root: "AWSLogs/".into(),
        lifecycle: Some(Ok(None)),
        versioning: Some(Ok(Versioning {
            status: Some("Enabled".into()),
            mfa_delete: true,
        })),
        object_lock: Some(Ok(Some(ObjectLock {
            enabled: true,
            default_retention: Some(("COMPLIANCE".into(), 365)),
        }))),
        public_access: Some((Ok(Some(ALL_ON)), Ok(None))),
    }
}

fn rule(prefix: &str, days: u32) -> LifecycleRule {
    LifecycleRule {
        id: Some(format!("r{days}")),
        enabled: true,
        prefix: prefix.into(),
        expiration_days: Some(days),
        ..LifecycleRule::default()
    }
}

fn with_rules(rules: Vec<LifecycleRule>) -> Bucket {
    Bucket {
        lifecycle: Some(Ok(Some(rules))),
        ..hardened()
    }
}

fn run(b: &Bucket) -> String {
    text(&evaluate(&Options::default(), b, NOW), true)
}

#[test]
fn a_hardened_bucket_passes_every_check() {
    assert_eq!(
        run(&hardened()),
        "OK: Bucket logs: all 5 posture checks pass | 'bucket_lifecycle'=1;;;0;1 \
         'bucket_versioning'=1;;;0;1 'bucket_public_access'=1;;;0;1 'bucket_mfa_delete'=1;;;0;1 \
         'bucket_object_lock'=1;;;0;1\n\
         bucket_lifecycle: ok: no lifecycle rule expires AWSLogs/ (Stratus Red Team \
         aws.defense-evasion.cloudtrail-lifecycle-rule; PCI DSS 10.5.1)\n\
         bucket_versioning: ok: versioning Enabled (overwritten or deleted log files kept as \
         versions; Security Hub S3.14)\n\
         bucket_public_access: ok: Block Public Access: bucket all four on, account not \
         configured (logs readable or writable by anyone; Security Hub S3.1, S3.8, CloudTrail.6)\n\
         bucket_mfa_delete: ok: MFA delete on (versions deleted without a second factor; \
         Security Hub S3.20)\n\
         bucket_object_lock: ok: Object Lock: COMPLIANCE 365 days by default (deletion within \
         the retention, even by the bucket's owner; Security Hub S3.15)\n"
    );
}

#[test]
fn a_month_long_rule_warns_and_a_day_long_one_pages() {
    let o = evaluate(
        &Options::default(),
        &with_rules(vec![rule("AWSLogs/", 30)]),
        NOW,
    );
    assert_eq!(o.state(), State::Warning, "{o:?}");
    let first = text(&o, false);
    assert!(
        first.starts_with(
            "WARNING: Bucket logs: a lifecycle rule expires CloudTrail's objects sooner than the \
             retention |"
        ),
        "{first}"
    );
    assert!(first.contains("'log_retention'=30d;;7:;0;"), "{first}");
    let o = evaluate(&Options::default(), &with_rules(vec![rule("", 1)]), NOW);
    assert_eq!(o.state(), State::Critical, "{o:?}");
    assert!(
        text(&o, false).contains("retention, CloudTrail's objects expire after 1 days"),
        "{}",
        text(&o, false)
    );
}

#[test]
fn which_rules_can_reach_cloudtrails_objects() {
    let root = "logs/AWSLogs/";
    let check = |r: LifecycleRule| shortest_expiry(&[r], root, NOW).map(|(d, _)| d);
    // The digest folder alone, a parent, the whole bucket: all reach.
    assert_eq!(
        check(rule("logs/AWSLogs/111122223333/CloudTrail-Digest/", 2)),
        Some(2.0)
    );
    assert_eq!(check(rule("lo", 3)), Some(3.0));
    assert_eq!(check(rule("", 4)), Some(4.0));
    // Another folder, a tag filter, a disabled rule: never.
    assert_eq!(check(rule("other/", 1)), None);
    assert_eq!(
        check(LifecycleRule {
            tagged: true,
            ..rule("", 1)
        }),
        None
    );
    assert_eq!(
        check(LifecycleRule {
            enabled: false,
            ..rule("", 1)
        }),
        None
    );
    // Noncurrent versions count, a delete-marker clean-up alone does not.
    let noncurrent = LifecycleRule {
        expiration_days: None,
        noncurrent_days: Some(5),
        ..rule("", 0)
    };
    assert_eq!(check(noncurrent), Some(5.0));
    let markers = LifecycleRule {
        expiration_days: None,
        expired_object_delete_marker: true,
        ..rule("", 0)
    };
    assert_eq!(check(markers), None);
    // A date: the days left, none once past.
    let date = |d: i64| LifecycleRule {
        expiration_days: None,
        expiration_date: Some(d),
        ..rule("", 0)
    };
    assert_eq!(check(date(NOW + 10 * 86_400)), Some(10.0));
    assert_eq!(check(date(NOW - 86_400)), Some(0.0));
    // The shortest of several wins.
    let several = [rule("", 400), rule("logs/", 90), rule("other/", 1)];
    assert_eq!(
        shortest_expiry(&several, root, NOW),
        Some((90.0, "r90".to_owned()))
    );
}

#[test]
fn versioning_and_public_access_warn_mfa_and_lock_only_inform() {
    let b = Bucket {
        versioning: Some(Ok(Versioning {
            status: Some("Suspended".into()),
            mfa_delete: false,
        })),
        object_lock: Some(Ok(None)),
        public_access: Some((Ok(None), Ok(None))),
        ..hardened()
    };
    let o = evaluate(&Options::default(), &b, NOW);
    assert_eq!(o.state(), State::Warning);
    assert_eq!(
        o.entries[0].text,
        "Bucket logs: versioning not enabled, Block Public Access not fully on (bucket or \
         account), MFA delete not enabled, no Object Lock default retention"
    );
    // The account's settings count as the bucket's.
    let b = Bucket {
        public_access: Some((Ok(None), Ok(Some(ALL_ON)))),
        ..hardened()
    };
    assert_eq!(evaluate(&Options::default(), &b, NOW).state(), State::Ok);
}

#[test]
fn a_denied_read_is_unknown_and_all_denied_is_unknown() {
    fn denied<T>(what: &str) -> Result<T, String> {
        Err(format!(
            "GetX failed: AccessDenied (the credentials need {what})"
        ))
    }
    let b = Bucket {
        lifecycle: Some(denied("s3:GetLifecycleConfiguration")),
        public_access: Some((denied("s3:GetBucketPublicAccessBlock"), Ok(Some(ALL_ON)))),
        ..hardened()
    };
    let o = evaluate(&Options::default(), &b, NOW);
    assert_eq!(o.state(), State::Ok, "{o:?}");
    let all = text(&o, true);
    assert!(
        all.starts_with("OK: Bucket logs: all 4 posture checks pass |"),
        "{all}"
    );
    assert!(!all.contains("'bucket_lifecycle'"), "{all}");
    assert!(all.contains("'bucket_public_access'=1"), "{all}");
    assert!(
        all.contains(
            "bucket_lifecycle: unknown: GetX failed: AccessDenied (the credentials need \
                      s3:GetLifecycleConfiguration)"
        ),
        "{all}"
    );
    let b = Bucket {
        lifecycle: Some(denied("a")),
        versioning: Some(denied("b")),
        object_lock: Some(denied("c")),
        public_access: Some((denied("d"), denied("e"))),
        ..hardened()
    };
    let o = evaluate(&Options::default(), &b, NOW);
    assert_eq!(o.state(), State::Unknown);
    assert_eq!(
        o.entries[0].text,
        "Bucket logs: every read was refused: the credentials need \
         s3:GetLifecycleConfiguration, s3:GetBucketVersioning, s3:GetBucketPublicAccessBlock and \
         s3:GetAccountPublicAccessBlock, s3:GetBucketObjectLockConfiguration"
    );
    // An expression can name unknown.
    let opts = Options {
        critical: Expr::parse_with("%{bucket_lifecycle} eq \"unknown\"", &variables()).ok(),
        ..Options::default()
    };
    let b = Bucket {
        lifecycle: Some(denied("a")),
        ..hardened()
    };
    assert_eq!(evaluate(&opts, &b, NOW).state(), State::Critical);
}

#[test]
fn filter_check_reads_only_what_it_keeps() {
    let opts = |re: &str| Options {
        filter: Some(regex_lite::Regex::new(re).unwrap()),
        ..Options::default()
    };
    assert_eq!(opts("versioning|mfa").reads(), [Read::Versioning]);
    assert_eq!(opts("^log_retention$").reads(), [Read::Lifecycle]);
    assert_eq!(
        Options::default().reads(),
        [
            Read::Lifecycle,
            Read::Versioning,
            Read::PublicAccess,
            Read::ObjectLock
        ]
    );
    // Left out, a failing check reads as passing.
    let b = Bucket {
        versioning: Some(Ok(Versioning::default())),
        ..hardened()
    };
    assert_eq!(evaluate(&opts("lifecycle"), &b, NOW).state(), State::Ok);
}
