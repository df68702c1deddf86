//! The log bucket's configuration, as `bucketposture` reads it: lifecycle
//! rules, versioning and MFA delete, Object Lock, Block Public Access (the
//! bucket's through S3, the account's through S3 Control). Only what the
//! checks need is kept.

use roxmltree::{Document, Node};

use super::caller::{Request, Target};
use super::endpoint::{self, Endpoint};
use super::{s3, xml};
use crate::env::Env;
use crate::error::Error;
use crate::trace::Trace;

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

/// The operations, as AWS names them (the IAM action each needs is in
/// `s3.rs`'s table, for AccessDenied lines).
pub const LIFECYCLE_OP: &str = "GetBucketLifecycleConfiguration";
pub const VERSIONING_OP: &str = "GetBucketVersioning";
pub const OBJECT_LOCK_OP: &str = "GetObjectLockConfiguration";
pub const PUBLIC_ACCESS_OP: &str = "GetPublicAccessBlock";
pub use super::s3::CONTROL_OP;

/// The error codes that mean "never configured": an answer, not a failure.
const NO_LIFECYCLE: &str = "NoSuchLifecycleConfiguration";
const NO_OBJECT_LOCK: &str = "ObjectLockConfigurationNotFoundError";
const NO_PUBLIC_ACCESS_BLOCK: &str = "NoSuchPublicAccessBlockConfiguration";

/// S3 Control's path of the account's Block Public Access settings.
const CONTROL_PATH: &str = "v20180820/configuration/publicAccessBlock";

/// `Years` of a default retention, in the days the checks compare.
const DAYS_PER_YEAR: u32 = 365;

/// The element at `path` (child names) under `node`.
fn at<'a, 'i>(node: Node<'a, 'i>, path: &[&str]) -> Option<Node<'a, 'i>> {
    path.iter().try_fold(node, |n, tag| {
        n.children()
            .find(|c| c.is_element() && c.tag_name().name() == *tag)
    })
}

/// The text at `path`, trimmed.
fn text_at(node: Node<'_, '_>, path: &[&str]) -> Option<String> {
    at(node, path).map(|n| xml::text(n).trim().to_owned())
}

/// The document's root, which must be `name`.
fn root<'a, 'i>(doc: &'a Document<'i>, name: &str) -> Result<Node<'a, 'i>, String> {
    let root = doc.root_element();
    if root.tag_name().name() != name {
        return Err(format!(
            "<{}> where {name} was expected",
            root.tag_name().name()
        ));
    }
    Ok(root)
}

/// A count of days or years at `path`, if present; anything but a
/// non-negative integer is quoted back.
fn count(node: Node<'_, '_>, path: &[&str], of: &str) -> Result<Option<u32>, String> {
    text_at(node, path)
        .map(|t| {
            t.parse()
                .map_err(|_| format!("{} '{t}'{of} is not a number", path.join("/")))
        })
        .transpose()
}

/// Reads `LifecycleConfiguration`: every rule, as far as expiring goes.
pub fn lifecycle(text: &str) -> Result<Vec<LifecycleRule>, String> {
    let doc = xml::parse(text)?;
    let root = root(&doc, "LifecycleConfiguration")?;
    let mut rules = Vec::new();
    for (n, rule) in xml::children(root, "Rule").enumerate() {
        let id = text_at(rule, &["ID"]);
        // Rules are told apart by ID in errors, else by position.
        let of = match &id {
            Some(id) => format!(" of rule '{id}'"),
            None => format!(" of rule #{}", n + 1),
        };
        let expiration_date = match text_at(rule, &["Expiration", "Date"]) {
            None => None,
            Some(d) => Some(
                crate::time::parse_iso8601(&d)
                    .ok_or_else(|| format!("Expiration/Date '{d}'{of} is not a date"))?,
            ),
        };
        // The legacy top-level Prefix and the Filter's are exclusive;
        // whichever is there is the rule's scope.
        let prefix = text_at(rule, &["Filter", "Prefix"])
            .or_else(|| text_at(rule, &["Filter", "And", "Prefix"]))
            .or_else(|| text_at(rule, &["Prefix"]))
            .unwrap_or_default();
        rules.push(LifecycleRule {
            enabled: text_at(rule, &["Status"]).is_some_and(|s| s == "Enabled"),
            prefix,
            tagged: at(rule, &["Filter", "Tag"]).is_some()
                || at(rule, &["Filter", "And", "Tag"]).is_some(),
            expiration_days: count(rule, &["Expiration", "Days"], &of)?,
            expiration_date,
            noncurrent_days: count(
                rule,
                &["NoncurrentVersionExpiration", "NoncurrentDays"],
                &of,
            )?,
            expired_object_delete_marker: text_at(
                rule,
                &["Expiration", "ExpiredObjectDeleteMarker"],
            )
            .is_some_and(|t| t == "true"),
            id,
        });
    }
    Ok(rules)
}

/// The root moto 5 (its botocore-model serializer) gives a
/// GetBucketVersioning answer, whose output shape names no element;
/// botocore reads any root there, so the SDKs accept it.
const VERSIONING_SERIALIZED_ROOT: &str = "GetBucketVersioningResponse";

/// Reads `VersioningConfiguration` (empty when never enabled), or the
/// same children under `GetBucketVersioningResponse` (moto's).
pub fn versioning(text: &str) -> Result<Versioning, String> {
    let doc = xml::parse(text)?;
    let root = if doc.root_element().tag_name().name() == VERSIONING_SERIALIZED_ROOT {
        doc.root_element()
    } else {
        root(&doc, "VersioningConfiguration")?
    };
    Ok(Versioning {
        status: text_at(root, &["Status"]).filter(|s| !s.is_empty()),
        mfa_delete: text_at(root, &["MfaDelete"]).is_some_and(|s| s == "Enabled"),
    })
}

/// Reads `ObjectLockConfiguration`.
pub fn object_lock(text: &str) -> Result<ObjectLock, String> {
    let doc = xml::parse(text)?;
    let root = root(&doc, "ObjectLockConfiguration")?;
    let default_retention = match at(root, &["Rule", "DefaultRetention"]) {
        None => None,
        Some(r) => {
            let mode = text_at(r, &["Mode"]).ok_or("a DefaultRetention without Mode")?;
            let days = match (count(r, &["Days"], "")?, count(r, &["Years"], "")?) {
                (Some(d), _) => d,
                (None, Some(y)) => y
                    .checked_mul(DAYS_PER_YEAR)
                    .ok_or_else(|| format!("Years '{y}' is too many"))?,
                (None, None) => return Err("a DefaultRetention without Days or Years".into()),
            };
            Some((mode, days))
        }
    };
    Ok(ObjectLock {
        enabled: text_at(root, &["ObjectLockEnabled"]).is_some_and(|s| s == "Enabled"),
        default_retention,
    })
}

/// Reads `PublicAccessBlockConfiguration` (S3's and S3 Control's): an
/// absent setting is off; anything but `true`/`false` is quoted back.
pub fn public_access_block(text: &str) -> Result<PublicAccessBlock, String> {
    let doc = xml::parse(text)?;
    let root = root(&doc, "PublicAccessBlockConfiguration")?;
    let flag = |tag: &str| match text_at(root, &[tag]).as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(t) => Err(format!("{tag} '{t}' is not true or false")),
    };
    Ok(PublicAccessBlock {
        block_public_acls: flag("BlockPublicAcls")?,
        ignore_public_acls: flag("IgnorePublicAcls")?,
        block_public_policy: flag("BlockPublicPolicy")?,
        restrict_public_buckets: flag("RestrictPublicBuckets")?,
    })
}

/// S3 Control's endpoint for `account`'s `GetPublicAccessBlock`:
/// `AWS_ENDPOINT_URL_S3_CONTROL` or `AWS_ENDPOINT_URL` (path style, under
/// the URL's own path; not `--s3-endpoint-url`, which is S3's), else
/// `https://ACCOUNT.s3-control[-fips].REGION.SUFFIX`.
pub fn control_endpoint(
    account: &str,
    region: &str,
    fips: bool,
    env: &dyn Env,
) -> Result<Endpoint, String> {
    // The account ID becomes a host label.
    if !super::arn::is_account_id(account) {
        return Err(format!(
            "S3 Control needs a 12-digit account ID, not '{account}'"
        ));
    }
    let url = match endpoint::explicit("s3_control", fips, None, env)? {
        Some(e) => {
            let scheme = e.url.split_once("://").map_or("https", |(s, _)| s);
            let base = e.path.trim_end_matches('/');
            format!("{scheme}://{}{base}/{CONTROL_PATH}", e.host)
        }
        None => {
            let fips = if fips { "-fips" } else { "" };
            let suffix = endpoint::partition(region).dns_suffix;
            format!("https://{account}.s3-control{fips}.{region}.{suffix}/{CONTROL_PATH}")
        }
    };
    Endpoint::parse(&url)
}

/// "Never configured" as `None`; any other error stands.
fn unless_missing<T>(code: &str, r: Result<T, Error>) -> Result<Option<T>, Error> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(Error::Api { code: c, .. }) if c == code => Ok(None),
        Err(e) => Err(e),
    }
}

impl s3::Client<'_> {
    /// One bucket configuration: `GET /?SUBRESOURCE`, read as XML.
    fn bucket_config<T>(
        &self,
        (op, subresource): (&'static str, &str),
        bucket: &str,
        parse: impl Fn(&str) -> Result<T, String>,
        trace: &mut Trace,
    ) -> Result<T, Error> {
        let answer = self.exchange(op, "GET", (bucket, "", subresource), false, trace)?;
        Self::read_xml(op, answer, parse)
    }

    /// `GetBucketLifecycleConfiguration`; `None` when the bucket has none.
    pub fn bucket_lifecycle(
        &self,
        bucket: &str,
        trace: &mut Trace,
    ) -> Result<Option<Vec<LifecycleRule>>, Error> {
        let r = self.bucket_config((LIFECYCLE_OP, "lifecycle"), bucket, lifecycle, trace);
        unless_missing(NO_LIFECYCLE, r)
    }

    /// `GetBucketVersioning` (always answers: empty when never enabled).
    pub fn bucket_versioning(&self, bucket: &str, trace: &mut Trace) -> Result<Versioning, Error> {
        self.bucket_config((VERSIONING_OP, "versioning"), bucket, versioning, trace)
    }

    /// `GetObjectLockConfiguration`; `None` when Object Lock was never
    /// configured.
    pub fn bucket_object_lock(
        &self,
        bucket: &str,
        trace: &mut Trace,
    ) -> Result<Option<ObjectLock>, Error> {
        let r = self.bucket_config((OBJECT_LOCK_OP, "object-lock"), bucket, object_lock, trace);
        unless_missing(NO_OBJECT_LOCK, r)
    }

    /// The bucket's `GetPublicAccessBlock`; `None` when it has none.
    pub fn bucket_public_access_block(
        &self,
        bucket: &str,
        trace: &mut Trace,
    ) -> Result<Option<PublicAccessBlock>, Error> {
        let op = (PUBLIC_ACCESS_OP, "publicAccessBlock");
        let r = self.bucket_config(op, bucket, public_access_block, trace);
        unless_missing(NO_PUBLIC_ACCESS_BLOCK, r)
    }

    /// S3 Control's `GetPublicAccessBlock` for `account`; `None` when the
    /// account has none. Signed as S3 (signing name `s3`, the path as
    /// sent, the payload hash header) with the S3 client's credentials
    /// (`--s3-role-arn`'s when given) for its current region; FIPS when
    /// the S3 client is. `env` gives the endpoint variables.
    pub fn account_public_access_block(
        &self,
        account: &str,
        env: &dyn Env,
        trace: &mut Trace,
    ) -> Result<Option<PublicAccessBlock>, Error> {
        let fips = matches!(self.addressing, s3::Addressing::Public { fips: true });
        let region = self.region();
        let endpoint = control_endpoint(account, &region, fips, env).map_err(Error::Option)?;
        let target = Target {
            endpoint: &endpoint,
            region: &region,
            service: "s3",
        };
        // Required by S3 Control, and signed like every header sent.
        let headers = [("x-amz-account-id", account.to_owned())];
        let req = Request {
            method: "GET",
            headers: &headers,
            body: b"",
            stream: false,
            hand_back: None,
        };
        let r = self
            .caller
            .call(CONTROL_OP, &target, Some(self.creds), &req, trace)
            .map_err(s3::with_permission)
            .and_then(|answer| Self::read_xml(CONTROL_OP, answer, public_access_block));
        unless_missing(NO_PUBLIC_ACCESS_BLOCK, r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MapEnv;

    const NS: &str = r#"xmlns="http://s3.amazonaws.com/doc/2006-03-01/""#;

    /// The AWS documentation's sample, with Transitions whose Days are
    /// not Expiration's.
    #[test]
    fn lifecycle_with_a_filter_prefix() {
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LifecycleConfiguration {NS}>\
             <Rule><ID>Archive and then delete rule</ID><Filter><Prefix>projectdocs/</Prefix></Filter>\
             <Status>Enabled</Status>\
             <Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>\
             <Transition><Days>365</Days><StorageClass>GLACIER</StorageClass></Transition>\
             <Expiration><Days>3650</Days></Expiration></Rule></LifecycleConfiguration>"
        );
        assert_eq!(
            lifecycle(&xml).unwrap(),
            [LifecycleRule {
                id: Some("Archive and then delete rule".into()),
                enabled: true,
                prefix: "projectdocs/".into(),
                expiration_days: Some(3650),
                ..LifecycleRule::default()
            }]
        );
    }

    #[test]
    fn lifecycle_filters_legacy_prefix_dates_and_noncurrent_versions() {
        let xml = format!(
            "<LifecycleConfiguration {NS}>\
             <Rule><ID>tagged</ID><Filter><And><Prefix>AWSLogs/</Prefix>\
             <Tag><Key>key1</Key><Value>value1</Value></Tag></And></Filter>\
             <Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule>\
             <Rule><ID>only-tag</ID><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>\
             <Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>\
             <Rule><ID>legacy</ID><Prefix>logs/</Prefix><Status>Disabled</Status>\
             <Expiration><Date>2026-01-01T00:00:00.000Z</Date></Expiration></Rule>\
             <Rule><Filter></Filter><Status>Enabled</Status>\
             <Expiration><Date>2026-01-01T00:00:00Z</Date></Expiration>\
             <NoncurrentVersionExpiration><NoncurrentDays>90</NoncurrentDays>\
             </NoncurrentVersionExpiration></Rule>\
             <Rule><ID>markers</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>\
             <Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>\
             </LifecycleConfiguration>"
        );
        let rules = lifecycle(&xml).unwrap();
        assert_eq!(rules.len(), 5);
        assert_eq!(
            (rules[0].prefix.as_str(), rules[0].tagged),
            ("AWSLogs/", true)
        );
        assert_eq!((rules[1].prefix.as_str(), rules[1].tagged), ("", true));
        assert_eq!(
            rules[2],
            LifecycleRule {
                id: Some("legacy".into()),
                enabled: false,
                prefix: "logs/".into(),
                expiration_date: Some(1_767_225_600),
                ..LifecycleRule::default()
            }
        );
        assert_eq!(
            rules[3],
            LifecycleRule {
                enabled: true,
                expiration_date: Some(1_767_225_600),
                noncurrent_days: Some(90),
                ..LifecycleRule::default()
            }
        );
        assert!(rules[4].expired_object_delete_marker && rules[4].expiration_days.is_none());
        let empty = format!("<LifecycleConfiguration {NS}/>");
        assert_eq!(lifecycle(&empty).unwrap(), []);
    }

    #[test]
    fn bad_lifecycles_are_quoted_back() {
        for (xml, why) in [
            (
                "<LifecycleConfiguration><Rule><ID>r1</ID><Expiration><Days>ten</Days></Expiration></Rule></LifecycleConfiguration>",
                "Expiration/Days 'ten' of rule 'r1' is not a number",
            ),
            (
                "<LifecycleConfiguration><Rule><NoncurrentVersionExpiration><NoncurrentDays>-1</NoncurrentDays></NoncurrentVersionExpiration></Rule></LifecycleConfiguration>",
                "NoncurrentVersionExpiration/NoncurrentDays '-1' of rule #1 is not a number",
            ),
            (
                "<LifecycleConfiguration><Rule><ID>r</ID><Expiration><Date>soon</Date></Expiration></Rule></LifecycleConfiguration>",
                "Expiration/Date 'soon' of rule 'r' is not a date",
            ),
            (
                "<Error><Code>X</Code></Error>",
                "<Error> where LifecycleConfiguration was expected",
            ),
            ("<LifecycleConfiguration>", "not XML"),
        ] {
            let e = lifecycle(xml).unwrap_err();
            assert!(e.contains(why), "{xml}: {e}");
        }
        let many = format!(
            "<LifecycleConfiguration>{}</LifecycleConfiguration>",
            "<Rule><Status>Enabled</Status></Rule>".repeat(40_000)
        );
        assert!(lifecycle(&many).unwrap_err().contains("nodes"));
    }

    #[test]
    fn versioning_states() {
        let v = |body: &str| {
            versioning(&format!(
                "<VersioningConfiguration {NS}>{body}</VersioningConfiguration>"
            ))
            .unwrap()
        };
        assert_eq!(v(""), Versioning::default());
        assert_eq!(
            versioning(&format!("<VersioningConfiguration {NS}/>")).unwrap(),
            Versioning::default()
        );
        assert_eq!(
            v("<Status>Enabled</Status>"),
            Versioning {
                status: Some("Enabled".into()),
                mfa_delete: false
            }
        );
        assert_eq!(
            v("<Status>Suspended</Status><MfaDelete>Disabled</MfaDelete>"),
            Versioning {
                status: Some("Suspended".into()),
                mfa_delete: false
            }
        );
        assert_eq!(
            v("<Status>Enabled</Status><MfaDelete>Enabled</MfaDelete>"),
            Versioning {
                status: Some("Enabled".into()),
                mfa_delete: true
            }
        );
        assert!(versioning("<Other/>").is_err());
    }

    /// moto 5.2.5's answers, byte for byte: the root is the operation's
    /// `…Response`, not `VersioningConfiguration` (AWS's).
    #[test]
    fn versioning_as_moto_answers() {
        let moto = |body: &str| {
            format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<GetBucketVersioningResponse \
                 xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"{body}"
            )
        };
        assert_eq!(versioning(&moto("/>")).unwrap(), Versioning::default());
        assert_eq!(
            versioning(&moto(
                "><Status>Suspended</Status></GetBucketVersioningResponse>"
            ))
            .unwrap(),
            Versioning {
                status: Some("Suspended".into()),
                mfa_delete: false
            }
        );
        assert_eq!(
            versioning(&moto(
                "><Status>Enabled</Status></GetBucketVersioningResponse>"
            ))
            .unwrap(),
            Versioning {
                status: Some("Enabled".into()),
                mfa_delete: false
            }
        );
        // Another operation's answer is still refused.
        assert_eq!(
            versioning("<GetBucketLifecycleConfigurationResponse/>").unwrap_err(),
            "<GetBucketLifecycleConfigurationResponse> where VersioningConfiguration was expected"
        );
    }

    #[test]
    fn object_lock_with_days_or_years() {
        let lock = |rule: &str| {
            object_lock(&format!(
                "<ObjectLockConfiguration {NS}><ObjectLockEnabled>Enabled</ObjectLockEnabled>{rule}</ObjectLockConfiguration>"
            ))
        };
        assert_eq!(
            lock("<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days></DefaultRetention></Rule>")
                .unwrap(),
            ObjectLock {
                enabled: true,
                default_retention: Some(("GOVERNANCE".into(), 1))
            }
        );
        assert_eq!(
            lock("<Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Years>7</Years></DefaultRetention></Rule>")
                .unwrap()
                .default_retention,
            Some(("COMPLIANCE".into(), 7 * 365))
        );
        assert_eq!(
            lock("").unwrap(),
            ObjectLock {
                enabled: true,
                default_retention: None
            }
        );
        for (rule, why) in [
            (
                "<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Years>4294967295</Years></DefaultRetention></Rule>",
                "Years '4294967295' is too many",
            ),
            (
                "<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1.5</Days></DefaultRetention></Rule>",
                "Days '1.5' is not a number",
            ),
            (
                "<Rule><DefaultRetention><Days>1</Days></DefaultRetention></Rule>",
                "without Mode",
            ),
            (
                "<Rule><DefaultRetention><Mode>GOVERNANCE</Mode></DefaultRetention></Rule>",
                "without Days or Years",
            ),
        ] {
            let e = lock(rule).unwrap_err();
            assert!(e.contains(why), "{rule}: {e}");
        }
    }

    #[test]
    fn public_access_blocks() {
        let all = "<PublicAccessBlockConfiguration xmlns=\"http://awss3control.amazonaws.com/doc/2018-08-20/\">\
             <BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>\
             <BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>\
             </PublicAccessBlockConfiguration>";
        assert!(public_access_block(all).unwrap().all());
        let some = format!(
            "<PublicAccessBlockConfiguration {NS}><BlockPublicAcls>true</BlockPublicAcls>\
             <BlockPublicPolicy>false</BlockPublicPolicy></PublicAccessBlockConfiguration>"
        );
        assert_eq!(
            public_access_block(&some).unwrap(),
            PublicAccessBlock {
                block_public_acls: true,
                ..PublicAccessBlock::default()
            }
        );
        let e = public_access_block(
            "<PublicAccessBlockConfiguration><IgnorePublicAcls>yes</IgnorePublicAcls></PublicAccessBlockConfiguration>",
        )
        .unwrap_err();
        assert_eq!(e, "IgnorePublicAcls 'yes' is not true or false");
        assert!(public_access_block("<Error/>").is_err());
    }

    #[test]
    fn s3_control_endpoints() {
        let none = MapEnv::new(&[]);
        let url = |region: &str, fips: bool, env: &MapEnv| {
            control_endpoint("123456789012", region, fips, env).map(|e| e.url)
        };
        assert_eq!(
            url("eu-west-1", false, &none).unwrap(),
            "https://123456789012.s3-control.eu-west-1.amazonaws.com/v20180820/configuration/publicAccessBlock"
        );
        assert_eq!(
            url("us-east-1", true, &none).unwrap(),
            "https://123456789012.s3-control-fips.us-east-1.amazonaws.com/v20180820/configuration/publicAccessBlock"
        );
        assert_eq!(
            url("cn-north-1", false, &none).unwrap(),
            "https://123456789012.s3-control.cn-north-1.amazonaws.com.cn/v20180820/configuration/publicAccessBlock"
        );
        let custom = MapEnv::new(&[
            ("AWS_ENDPOINT_URL_S3_CONTROL", "http://127.0.0.1:9000/base/"),
            ("AWS_ENDPOINT_URL", "http://all:1"),
            ("AWS_ENDPOINT_URL_S3", "http://s3:2"),
        ]);
        let e = control_endpoint("123456789012", "eu-west-1", false, &custom).unwrap();
        assert_eq!(
            (e.host.as_str(), e.path.as_str()),
            (
                "127.0.0.1:9000",
                "/base/v20180820/configuration/publicAccessBlock"
            )
        );
        let all = MapEnv::new(&[("AWS_ENDPOINT_URL", "http://all:1")]);
        assert_eq!(
            url("eu-west-1", false, &all).unwrap(),
            "http://all:1/v20180820/configuration/publicAccessBlock"
        );
        // S3's own variable is not S3 Control's.
        let s3 = MapEnv::new(&[("AWS_ENDPOINT_URL_S3", "http://s3:2")]);
        assert!(
            url("eu-west-1", false, &s3)
                .unwrap()
                .starts_with("https://123456789012.s3-control.")
        );
        let ignored = MapEnv::new(&[
            ("AWS_ENDPOINT_URL_S3_CONTROL", "http://127.0.0.1:9000"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
        ]);
        assert!(
            url("eu-west-1", false, &ignored)
                .unwrap()
                .starts_with("https://123456789012.s3-control.")
        );
        assert!(
            url("eu-west-1", true, &custom)
                .unwrap_err()
                .contains("FIPS")
        );
        let bad = MapEnv::new(&[("AWS_ENDPOINT_URL_S3_CONTROL", "ftp://x")]);
        assert!(
            url("eu-west-1", false, &bad)
                .unwrap_err()
                .starts_with("AWS_ENDPOINT_URL_S3_CONTROL: ")
        );
        for account in [
            "",
            "12345678901",
            "1234567890123",
            "evil.example",
            "12345678901a",
        ] {
            let e = control_endpoint(account, "eu-west-1", false, &none).unwrap_err();
            assert!(e.contains(&format!("'{account}'")), "{e}");
        }
    }

    #[test]
    fn each_operation_names_its_iam_action() {
        for (op, action) in [
            (LIFECYCLE_OP, "s3:GetLifecycleConfiguration"),
            (VERSIONING_OP, "s3:GetBucketVersioning"),
            (OBJECT_LOCK_OP, "s3:GetBucketObjectLockConfiguration"),
            (PUBLIC_ACCESS_OP, "s3:GetBucketPublicAccessBlock"),
            (CONTROL_OP, "s3:GetAccountPublicAccessBlock"),
        ] {
            assert_eq!(s3::permission(op), action, "{op}");
            assert!(s3::is_op(op), "{op}");
        }
    }

    #[test]
    fn missing_configurations_are_none() {
        let api = |code: &str| Error::Api {
            op: LIFECYCLE_OP,
            code: code.into(),
            message: "m".into(),
            hint: None,
        };
        assert_eq!(
            unless_missing::<u8>(NO_LIFECYCLE, Err(api(NO_LIFECYCLE))).unwrap(),
            None
        );
        assert_eq!(unless_missing(NO_LIFECYCLE, Ok(1)).unwrap(), Some(1));
        assert!(unless_missing::<u8>(NO_LIFECYCLE, Err(api("AccessDenied"))).is_err());
    }
}
