//! ARNs as the options give them: a trail's (`--trail-name` may be one)
//! and a role's (`--s3-role-arn`, whose account owns the bucket).

/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, fields borrowed;
/// empty ones (`arn:aws:s3:::bucket`) are `None`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: Option<&'a str>,
    pub account: Option<&'a str>,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    pub fn parse(s: &'a str) -> Option<Arn<'a>> {
        let mut parts = s.splitn(6, ':');
        let (
            Some("arn"),
            Some(partition),
            Some(service),
            Some(region),
            Some(account),
            Some(resource),
        ) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        )
        else {
            return None;
        };
        let some = |f: &'a str| Some(f).filter(|f| !f.is_empty());
        Some(Arn {
            partition,
            service,
            region: some(region),
            account: some(account),
            resource,
        })
    }

    /// A CloudTrail trail's ARN (`…:cloudtrail:…:trail/NAME`).
    pub fn trail(s: &'a str) -> Option<Arn<'a>> {
        Arn::parse(s).filter(|a| a.service == "cloudtrail" && a.resource.starts_with("trail/"))
    }
}

/// An AWS account id: 12 digits (it names a folder, a host label, an
/// option's value).
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The trail's name: its ARN's, else as given.
pub fn trail_name(trail: &str) -> &str {
    Arn::trail(trail)
        .and_then(|a| a.resource.strip_prefix("trail/"))
        .unwrap_or(trail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trail_and_role_arns() {
        let a = Arn::trail("arn:aws-cn:cloudtrail:cn-north-1:123456789012:trail/main").unwrap();
        assert_eq!(
            (a.partition, a.region, a.account),
            ("aws-cn", Some("cn-north-1"), Some("123456789012"))
        );
        assert_eq!(trail_name("arn:aws:cloudtrail:eu-west-1:1:trail/x"), "x");
        assert_eq!(trail_name("my-trail"), "my-trail");
        assert_eq!(Arn::trail("arn:aws:s3:::bucket"), None);
        let s3 = Arn::parse("arn:aws:s3:::bucket").unwrap();
        assert_eq!((s3.region, s3.account, s3.resource), (None, None, "bucket"));
        let role = Arn::parse("arn:aws:iam::444455556666:role/LogArchiveRead").unwrap();
        assert_eq!(role.account, Some("444455556666"));
        assert_eq!(Arn::parse("my-trail"), None);
        assert_eq!(Arn::parse("arn:aws:cloudtrail"), None);
        assert!(is_account_id("123456789012"));
        assert!(!is_account_id("12345678901") && !is_account_id("12345678901x"));
    }
}
