//! Where requests go: parsing an endpoint URL into what is sent and what
//! is signed, the public endpoint of a service per partition (aws, aws-cn,
//! aws-us-gov, the ISO partitions), FIPS variants, and the SDKs' override
//! variables.

use crate::env::Env;

/// A parsed endpoint URL: what we send to and what we sign.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// The full URL requests are POSTed to.
    pub url: String,
    /// `host[:port]`, the port only when not the scheme's default: the
    /// Host header we send and sign (the same rule as botocore).
    pub host: String,
    /// The path on the wire (`/` or a custom endpoint's own path).
    pub path: String,
    pub query: String,
}

impl Endpoint {
    pub fn parse(url: &str) -> Result<Endpoint, String> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| format!("'{url}' is not a URL (no http:// or https://)"))?;
        let default_port = match scheme.to_ascii_lowercase().as_str() {
            "http" => "80",
            "https" => "443",
            _ => {
                return Err(format!(
                    "'{url}': only http and https endpoints are supported"
                ));
            }
        };
        let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(split);
        if authority.is_empty() || authority.contains('@') {
            return Err(format!("'{url}': expected scheme://host[:port][/path]"));
        }
        let tail = tail.split('#').next().unwrap_or("");
        let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
        let bad = || format!("'{url}': expected scheme://host[:port][/path]");
        let (name, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (inner, rest) = v6.split_once(']').ok_or_else(bad)?;
            let port = match rest {
                "" => None,
                r => Some(r.strip_prefix(':').ok_or_else(bad)?),
            };
            (format!("[{inner}]"), port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_owned(), Some(p)),
                None => (authority.to_owned(), None),
            }
        };
        if name.is_empty() || name == "[]" {
            return Err(bad());
        }
        if let Some(p) = port
            && !valid_port(p)
        {
            return Err(format!("'{url}': bad port '{p}' ({PORT_RANGE})"));
        }
        let name = name.to_ascii_lowercase();
        let host = match port {
            Some(p) if p != default_port => format!("{name}:{p}"),
            _ => name,
        };
        let path = if path.is_empty() { "/" } else { path };
        Ok(Endpoint {
            url: if query.is_empty() {
                format!("{scheme}://{authority}{path}")
            } else {
                format!("{scheme}://{authority}{path}?{query}")
            },
            host,
            path: path.to_owned(),
            query: query.to_owned(),
        })
    }
}

/// What a port may be, for messages.
pub const PORT_RANGE: &str = "a number from 1 to 65535";

/// A TCP port written as digits only, 1 to 65535: anything else would be
/// read as the scheme's default port (ureq's proxies do so) and go
/// somewhere the user did not say.
pub fn valid_port(p: &str) -> bool {
    !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok_and(|n| n > 0)
}

/// The port written in a URL's authority (`[scheme://][user@]host:port`),
/// if any, as text.
pub fn port_text(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let after_v6 = match host.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map_or("", |(_, r)| r),
        None => host,
    };
    after_v6.rsplit_once(':').map(|(_, p)| p)
}

/// An AWS partition: its name (the ARN segment) and DNS suffix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Partition {
    pub name: &'static str,
    pub dns_suffix: &'static str,
}

/// The partition of a region, by the prefixes of botocore's
/// `partitions.json` (most specific first).
pub fn partition(region: &str) -> Partition {
    let table: [(&str, &str, &str); 7] = [
        ("us-gov-", "aws-us-gov", "amazonaws.com"),
        ("us-isob-", "aws-iso-b", "sc2s.sgov.gov"),
        ("us-isof-", "aws-iso-f", "csp.hci.ic.gov"),
        ("us-iso-", "aws-iso", "c2s.ic.gov"),
        ("eu-isoe-", "aws-iso-e", "cloud.adc-e.uk"),
        ("eusc-", "aws-eusc", "amazonaws.eu"),
        ("cn-", "aws-cn", "amazonaws.com.cn"),
    ];
    for (prefix, name, dns_suffix) in table {
        if region.starts_with(prefix) {
            return Partition { name, dns_suffix };
        }
    }
    Partition {
        name: "aws",
        dns_suffix: "amazonaws.com",
    }
}

/// The four commercial regions where CloudTrail and STS have FIPS
/// endpoints (endpoints.json lists no others in the `aws` partition).
const AWS_FIPS_REGIONS: [&str; 4] = ["us-east-1", "us-east-2", "us-west-1", "us-west-2"];

/// The public endpoint of `service` (`cloudtrail` or `sts`) in `region`.
pub fn public(service: &str, region: &str, fips: bool) -> Result<Endpoint, String> {
    let p = partition(region);
    let host = match (fips, p.name) {
        (false, _) => format!("{service}.{region}.{}", p.dns_suffix),
        // GovCloud's standard endpoints are its FIPS endpoints.
        (true, "aws-us-gov") => format!("{service}.{region}.{}", p.dns_suffix),
        (true, "aws") if AWS_FIPS_REGIONS.contains(&region) => {
            format!("{service}-fips.{region}.{}", p.dns_suffix)
        }
        (true, "aws-iso" | "aws-iso-b") => format!("{service}-fips.{region}.{}", p.dns_suffix),
        (true, _) => {
            return Err(format!(
                "no FIPS endpoint for {service} in {region} (partition {})",
                p.name
            ));
        }
    };
    Endpoint::parse(&format!("https://{host}/"))
}

/// What may override a service's endpoint, first match wins: the
/// command-line URL, `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`
/// (both ignored with `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`), else
/// the public endpoint. FIPS with an explicit URL is a configuration
/// error, as in the SDKs' endpoint rules.
pub fn resolve(
    service: &str,
    region: &str,
    fips: bool,
    flag: Option<&str>,
    env: &dyn Env,
) -> Result<Endpoint, String> {
    match explicit(service, fips, flag, env)? {
        Some(e) => Ok(e),
        None => public(service, region, fips),
    }
}

/// The URL [`resolve`] takes before the public endpoint, if any: for
/// services whose public host is not `SERVICE.REGION.SUFFIX` (S3
/// Control's carries the account ID) and build it themselves.
pub fn explicit(
    service: &str,
    fips: bool,
    flag: Option<&str>,
    env: &dyn Env,
) -> Result<Option<Endpoint>, String> {
    let service_var = format!("AWS_ENDPOINT_URL_{}", service.to_ascii_uppercase());
    let configured = if env.flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") {
        None
    } else {
        env.var(&service_var)
            .map(|u| (u, service_var.clone()))
            .or_else(|| {
                env.var("AWS_ENDPOINT_URL")
                    .map(|u| (u, "AWS_ENDPOINT_URL".to_owned()))
            })
    };
    let explicit = flag
        .map(|u| (u.to_owned(), "the endpoint URL option".to_owned()))
        .or(configured);
    match explicit {
        Some((_, from)) if fips => Err(format!(
            "FIPS endpoints cannot be combined with {from}: set one or the other"
        )),
        Some((url, from)) => Endpoint::parse(&url)
            .map(Some)
            .map_err(|e| format!("{from}: {e}")),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MapEnv;

    #[test]
    fn ports_are_numbers_from_1_to_65535() {
        for (url, port) in [
            ("http://u:p@proxy:3128/x", Some("3128")),
            ("proxy:80x", Some("80x")),
            ("http://[::1]:8080", Some("8080")),
            ("http://[::1]", None),
            ("http://host/a:b", None),
            ("http://u:p@host", None),
        ] {
            assert_eq!(port_text(url), port, "{url}");
        }
        for ok in ["1", "443", "65535"] {
            assert!(valid_port(ok), "{ok}");
        }
        for bad in [
            "",
            "0",
            "65536",
            "80x",
            "+80",
            " 80",
            "99999999999999999999",
        ] {
            assert!(!valid_port(bad), "{bad}");
        }
    }

    #[test]
    fn endpoints() {
        let e = Endpoint::parse("http://localhost:3000/cloudtrail/gettrailstatus/true").unwrap();
        assert_eq!(e.host, "localhost:3000");
        assert_eq!(e.path, "/cloudtrail/gettrailstatus/true");
        assert_eq!(
            e.url,
            "http://localhost:3000/cloudtrail/gettrailstatus/true"
        );
        let e = Endpoint::parse("https://cloudtrail.eu-west-1.amazonaws.com:443").unwrap();
        assert_eq!(e.host, "cloudtrail.eu-west-1.amazonaws.com");
        assert_eq!(e.path, "/");
        let e = Endpoint::parse("http://127.0.0.1:80/?a=b").unwrap();
        assert_eq!((e.host.as_str(), e.query.as_str()), ("127.0.0.1", "a=b"));
        let e = Endpoint::parse("http://[::1]:8080/").unwrap();
        assert_eq!(e.host, "[::1]:8080");
        for bad in [
            "localhost:3000",
            "ftp://x/",
            "http:///x",
            "http://u:p@h/",
            "http://h:x/",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn partitions_and_public_endpoints() {
        let host = |s: &str, r: &str, f: bool| public(s, r, f).map(|e| e.host);
        assert_eq!(
            host("cloudtrail", "eu-west-1", false).unwrap(),
            "cloudtrail.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            host("cloudtrail", "cn-north-1", false).unwrap(),
            "cloudtrail.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            host("sts", "cn-northwest-1", false).unwrap(),
            "sts.cn-northwest-1.amazonaws.com.cn"
        );
        assert_eq!(
            host("cloudtrail", "us-gov-west-1", false).unwrap(),
            "cloudtrail.us-gov-west-1.amazonaws.com"
        );
        assert_eq!(
            host("cloudtrail", "us-gov-east-1", true).unwrap(),
            "cloudtrail.us-gov-east-1.amazonaws.com"
        );
        assert_eq!(
            host("cloudtrail", "us-east-1", true).unwrap(),
            "cloudtrail-fips.us-east-1.amazonaws.com"
        );
        assert_eq!(
            host("sts", "us-west-2", true).unwrap(),
            "sts-fips.us-west-2.amazonaws.com"
        );
        assert_eq!(
            host("cloudtrail", "us-iso-east-1", false).unwrap(),
            "cloudtrail.us-iso-east-1.c2s.ic.gov"
        );
        assert_eq!(
            host("cloudtrail", "us-isob-east-1", false).unwrap(),
            "cloudtrail.us-isob-east-1.sc2s.sgov.gov"
        );
        assert_eq!(
            host("cloudtrail", "eu-isoe-west-1", false).unwrap(),
            "cloudtrail.eu-isoe-west-1.cloud.adc-e.uk"
        );
        assert_eq!(partition("us-isof-south-1").name, "aws-iso-f");
        assert_eq!(partition("eusc-de-east-1").dns_suffix, "amazonaws.eu");
        assert!(
            host("cloudtrail", "eu-west-1", true)
                .unwrap_err()
                .contains("no FIPS endpoint")
        );
        assert!(host("cloudtrail", "cn-north-1", true).is_err());
    }

    #[test]
    fn overrides() {
        let env = MapEnv::new(&[
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1/all"),
            ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:2/sts"),
        ]);
        let r = |svc: &str, flag: Option<&str>, env: &MapEnv| {
            resolve(svc, "eu-west-1", false, flag, env).map(|e| e.url)
        };
        assert_eq!(r("sts", None, &env).unwrap(), "http://127.0.0.1:2/sts");
        assert_eq!(
            r("cloudtrail", None, &env).unwrap(),
            "http://127.0.0.1:1/all"
        );
        assert_eq!(
            r("cloudtrail", Some("http://127.0.0.1:3/"), &env).unwrap(),
            "http://127.0.0.1:3/"
        );
        let mut ignoring = env.clone();
        ignoring
            .vars
            .insert("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS".into(), "true".into());
        assert_eq!(
            r("cloudtrail", None, &ignoring).unwrap(),
            "https://cloudtrail.eu-west-1.amazonaws.com/"
        );
        assert!(
            resolve("cloudtrail", "us-east-1", true, None, &env)
                .unwrap_err()
                .contains("AWS_ENDPOINT_URL")
        );
        assert!(resolve("cloudtrail", "us-east-1", true, None, &MapEnv::default()).is_ok());
        let bad = MapEnv::new(&[("AWS_ENDPOINT_URL_CLOUDTRAIL", "nope")]);
        assert!(
            r("cloudtrail", None, &bad)
                .unwrap_err()
                .starts_with("AWS_ENDPOINT_URL_CLOUDTRAIL: ")
        );
    }
}
