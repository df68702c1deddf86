//! STS over the query protocol: a form-encoded POST, an XML answer.
//! `AssumeRole` (signed) puts `--aws-role-arn` on top of the base
//! credentials; `AssumeRoleWithWebIdentity` (unsigned) turns a web
//! identity token file into credentials.

use super::caller::{Caller, Target};
use super::credentials::value::Credentials;
use super::sigv4::uri_encode;
use super::xml::xml_text;
use crate::error::Error;
use crate::trace::Trace;

const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// `--aws-role-arn` and its companions.
#[derive(Clone, Debug, PartialEq)]
pub struct Role {
    pub arn: String,
    pub session_name: String,
    pub external_id: Option<String>,
    /// Seconds, 900–43200; AWS defaults to 3600.
    pub duration: Option<u32>,
}

/// `k=v&…` with the strict SigV4 encoding (what botocore sends).
fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", uri_encode(k, false), uri_encode(v, false)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn assume_role(
    caller: &Caller<'_>,
    target: &Target<'_>,
    base: &Credentials,
    role: &Role,
    trace: &mut Trace,
) -> Result<Credentials, Error> {
    const OP: &str = "AssumeRole";
    let duration = role.duration.map(|d| d.to_string());
    let mut pairs = vec![
        ("Action", "AssumeRole"),
        ("Version", "2011-06-15"),
        ("RoleArn", role.arn.as_str()),
        ("RoleSessionName", role.session_name.as_str()),
    ];
    if let Some(d) = &duration {
        pairs.push(("DurationSeconds", d.as_str()));
    }
    if let Some(x) = &role.external_id {
        pairs.push(("ExternalId", x.as_str()));
    }
    let body = form(&pairs);
    let resp = caller.send(
        OP,
        target,
        Some(base),
        &[("content-type", FORM.to_owned())],
        body.as_bytes(),
        trace,
    )?;
    credentials_from_xml(OP, &String::from_utf8_lossy(&resp.body), "assumed role")
}

pub fn assume_role_with_web_identity(
    caller: &Caller<'_>,
    target: &Target<'_>,
    role_arn: &str,
    session_name: &str,
    token: &str,
    source: &'static str,
    trace: &mut Trace,
) -> Result<Credentials, Error> {
    const OP: &str = "AssumeRoleWithWebIdentity";
    let body = form(&[
        ("Action", "AssumeRoleWithWebIdentity"),
        ("Version", "2011-06-15"),
        ("RoleArn", role_arn),
        ("RoleSessionName", session_name),
        ("WebIdentityToken", token),
    ]);
    let resp = caller.send(
        OP,
        target,
        None,
        &[("content-type", FORM.to_owned())],
        body.as_bytes(),
        trace,
    )?;
    credentials_from_xml(OP, &String::from_utf8_lossy(&resp.body), source)
}

/// The four `Credentials` children of an STS answer.
pub fn credentials_from_xml(
    op: &'static str,
    xml: &str,
    source: &'static str,
) -> Result<Credentials, Error> {
    let field = |tag: &str| {
        xml_text(xml, tag)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Error::BadResponse {
                op,
                detail: format!("no {tag} in the answer"),
            })
    };
    let creds = Credentials::new(
        &field("AccessKeyId")?,
        &field("SecretAccessKey")?,
        Some(&field("SessionToken")?),
    )
    .with_source(source);
    let expiration = field("Expiration")?;
    let at = crate::time::parse_iso8601(&expiration).ok_or_else(|| Error::BadResponse {
        op,
        detail: format!("Expiration '{expiration}' is not a date"),
    })?;
    Ok(creds.with_expiration(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_matches_botocore() {
        // The body of project vector (d).
        assert_eq!(
            form(&[
                ("Action", "AssumeRole"),
                ("Version", "2011-06-15"),
                ("RoleArn", "arn:aws:iam::123456789012:role/demo"),
                ("RoleSessionName", "centreon-plugins"),
                ("DurationSeconds", "3600"),
            ]),
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=centreon-plugins&DurationSeconds=3600"
        );
    }

    #[test]
    fn answer_parsing() {
        let xml = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalr/SECRET+KEY</SecretAccessKey>
      <SessionToken>FwoGZXIvYXdzE&amp;TOKEN</SessionToken>
      <Expiration>2011-07-15T23:28:33.359Z</Expiration>
    </Credentials>
  </AssumeRoleResult>
</AssumeRoleResponse>"#;
        let c = credentials_from_xml("AssumeRole", xml, "assumed role").unwrap();
        assert_eq!(c.access_key(), "ASIAEXAMPLE");
        assert_eq!(c.secret_key(), "wJalr/SECRET+KEY");
        assert_eq!(c.session_token(), Some("FwoGZXIvYXdzE&TOKEN"));
        assert_eq!(c.expiration(), Some(1_310_772_513));
        let e = credentials_from_xml("AssumeRole", "<x/>", "assumed role").unwrap_err();
        assert_eq!(
            e.to_string(),
            "AssumeRole failed: unexpected response: no AccessKeyId in the answer"
        );
    }
}
