//! The shared AWS files: `~/.aws/config` (`[default]`, `[profile NAME]`)
//! and `~/.aws/credentials` (`[NAME]`), parsed as botocore's
//! `configloader` does. Pure: the caller reads the files.

use std::collections::HashMap;

/// One profile's settings, keys lower-cased.
pub type Profile = HashMap<String, String>;

/// Profiles by name.
#[derive(Debug, Default, Clone)]
pub struct Profiles {
    pub profiles: HashMap<String, Profile>,
}

/// Which file a text came from: the section naming rules differ.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FileKind {
    /// `[default]` and `[profile NAME]`; other sections (`[sso-session x]`,
    /// `[services x]`) are not profiles.
    Config,
    /// `[NAME]`.
    Credentials,
}

/// Parses an INI text. Comment lines start with `#` or `;`; indented
/// lines continue a nested block (`s3 =` sub-settings) and are skipped;
/// the first `=` splits key and value.
pub fn parse(text: &str, kind: FileKind) -> Profiles {
    let mut out = Profiles::default();
    let mut current: Option<String> = None;
    for raw in text.lines() {
        if raw.starts_with([' ', '\t']) && current.is_some() && !raw.trim().is_empty() {
            // A nested sub-setting: not a credential or region key.
            continue;
        }
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let section = section.trim();
            current = match kind {
                FileKind::Credentials => Some(section.to_owned()),
                FileKind::Config => {
                    if section == "default" {
                        Some("default".to_owned())
                    } else {
                        section
                            .strip_prefix("profile")
                            .filter(|rest| rest.starts_with([' ', '\t']))
                            .map(|rest| rest.trim().to_owned())
                    }
                }
            };
            if let Some(name) = &current {
                out.profiles.entry(name.clone()).or_default();
            }
            continue;
        }
        let Some(name) = &current else { continue };
        if let Some((k, v)) = line.split_once('=') {
            let key = k.trim().to_ascii_lowercase();
            let value = strip_inline_comment(v.trim());
            if let Some(p) = out.profiles.get_mut(name) {
                p.insert(key, value);
            }
        }
    }
    out
}

/// `value ; comment` or `value # comment` (a space before the marker, as
/// botocore's parser requires) loses the comment.
fn strip_inline_comment(v: &str) -> String {
    let cut = [" #", " ;", "\t#", "\t;"]
        .iter()
        .filter_map(|m| v.find(m))
        .min();
    match cut {
        Some(i) => v.get(..i).unwrap_or(v).trim().to_owned(),
        None => v.to_owned(),
    }
}

impl Profiles {
    /// Config-file settings with the credentials file's keys on top (the
    /// credentials file wins for the key triple, as in botocore).
    pub fn merge(config: Profiles, credentials: Profiles) -> Profiles {
        let mut out = config;
        for (name, creds) in credentials.profiles {
            let p = out.profiles.entry(name).or_default();
            for (k, v) in creds {
                p.insert(k, v);
            }
        }
        out
    }

    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_file_sections() {
        let text = "\
# comment
[default]
region = eu-west-1
output=json

[profile mon]
role_arn = arn:aws:iam::123456789012:role/ReadOnly ; the monitoring role
source_profile = default
s3 =
  max_concurrent_requests = 20

[sso-session corp]
sso_region = us-east-1

[profilex]
region = nope
";
        let p = parse(text, FileKind::Config);
        assert_eq!(p.get("default").unwrap()["region"], "eu-west-1");
        assert_eq!(p.get("default").unwrap()["output"], "json");
        let mon = p.get("mon").unwrap();
        assert_eq!(mon["role_arn"], "arn:aws:iam::123456789012:role/ReadOnly");
        assert_eq!(mon["s3"], "");
        assert!(!mon.contains_key("max_concurrent_requests"));
        assert!(p.get("corp").is_none() && p.get("sso-session corp").is_none());
        assert!(p.get("profilex").is_none() && p.get("x").is_none());
    }

    #[test]
    fn credentials_file_and_merge() {
        let creds = parse(
            "[default]\naws_access_key_id = AK1\naws_secret_access_key = S#1\n[mon]\naws_access_key_id=AK2\n",
            FileKind::Credentials,
        );
        let cfg = parse(
            "[default]\naws_access_key_id = CFG\nregion = us-east-2\n",
            FileKind::Config,
        );
        let all = Profiles::merge(cfg, creds);
        let d = all.get("default").unwrap();
        assert_eq!(d["aws_access_key_id"], "AK1");
        // `#` without a space before it is part of the value.
        assert_eq!(d["aws_secret_access_key"], "S#1");
        assert_eq!(d["region"], "us-east-2");
        assert_eq!(all.get("mon").unwrap()["aws_access_key_id"], "AK2");
    }
}
