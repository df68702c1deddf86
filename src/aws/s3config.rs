//! The log bucket's configuration, as `bucketposture` reads it: lifecycle
//! rules, versioning and MFA delete, Object Lock, Block Public Access (the
//! bucket's through S3, the account's through S3 Control). Only what the
//! checks need is kept.

/// One lifecycle rule, as far as expiring CloudTrail's objects goes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LifecycleRule {
    /// `ID`, for messages.
    pub id: Option<String>,
    /// `Status` is `Enabled`.
    pub enabled: bool,
    /// The key prefix the rule applies to (`Filter/Prefix`,
    /// `Filter/And/Prefix`, or the legacy top-level `Prefix`); empty when
    /// the rule has none (it applies to every object).
    pub prefix: String,
    /// The filter requires tags (`Filter/Tag`, `Filter/And/Tag`):
    /// CloudTrail writes untagged objects, so such a rule never applies.
    pub tagged: bool,
    /// `Expiration/Days`.
    pub expiration_days: Option<u32>,
    /// `Expiration/Date`, epoch seconds.
    pub expiration_date: Option<i64>,
    /// `NoncurrentVersionExpiration/NoncurrentDays`.
    pub noncurrent_days: Option<u32>,
    /// `Expiration/ExpiredObjectDeleteMarker` is true (harmless alone).
    pub expired_object_delete_marker: bool,
}

/// `GetBucketVersioning`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Versioning {
    /// `Enabled`, `Suspended`, or `None` when never enabled.
    pub status: Option<String>,
    /// `MfaDelete` is `Enabled`.
    pub mfa_delete: bool,
}

/// `GetObjectLockConfiguration`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ObjectLock {
    /// `ObjectLockEnabled` is `Enabled`.
    pub enabled: bool,
    /// `Rule/DefaultRetention`: its mode (`GOVERNANCE`, `COMPLIANCE`)
    /// and period in days (`Years` counted as 365 days).
    pub default_retention: Option<(String, u32)>,
}

/// The four Block Public Access settings (bucket or account level).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// The effective settings: each one on at either level.
    pub fn either(a: Option<PublicAccessBlock>, b: Option<PublicAccessBlock>) -> PublicAccessBlock {
        let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
        PublicAccessBlock {
            block_public_acls: a.block_public_acls || b.block_public_acls,
            ignore_public_acls: a.ignore_public_acls || b.ignore_public_acls,
            block_public_policy: a.block_public_policy || b.block_public_policy,
            restrict_public_buckets: a.restrict_public_buckets || b.restrict_public_buckets,
        }
    }

    pub fn all(&self) -> bool {
        self.block_public_acls
            && self.ignore_public_acls
            && self.block_public_policy
            && self.restrict_public_buckets
    }
}
