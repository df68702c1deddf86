//! AWS credentials and where they come from.
//!
//! The secret key and the session token never leave this type except
//! into the signer: `Debug` prints the access key id only, and no
//! `Display` exists.

use std::fmt;

use crate::error::Error;

#[derive(Clone)]
pub struct Credentials {
    access_key: String,
    secret_key: String,
    session_token: Option<String>,
    /// Where they came from, for messages (`--aws-access-key`, `environment`…).
    source: &'static str,
}

impl Credentials {
    pub fn new(access_key: &str, secret_key: &str, session_token: Option<&str>) -> Self {
        Credentials {
            access_key: access_key.to_owned(),
            secret_key: secret_key.to_owned(),
            session_token: session_token.map(str::to_owned),
            source: "explicit",
        }
    }

    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Every secret string these credentials hold, for output redaction.
    pub fn secrets(&self) -> Vec<&str> {
        let mut v = vec![self.secret_key.as_str()];
        v.extend(self.session_token.as_deref());
        v
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("source", &self.source)
            .finish()
    }
}

/// What the command line said about credentials. Empty values were
/// already turned into `None` by the option parser.
#[derive(Clone, Default)]
pub struct CredentialFlags {
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub session_token: Option<String>,
}

impl fmt::Debug for CredentialFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialFlags")
            .field("access_key", &self.access_key)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Resolves credentials: the flags first, then the environment
/// (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, with
/// the legacy `AWS_SECURITY_TOKEN`). `env` is a lookup so tests pass a map.
pub fn resolve(
    flags: &CredentialFlags,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Credentials, Error> {
    let nonempty = |k: &str| env(k).filter(|v| !v.is_empty());
    match (&flags.access_key, &flags.secret_key) {
        (Some(ak), Some(sk)) => {
            return Ok(Credentials {
                access_key: ak.clone(),
                secret_key: sk.clone(),
                session_token: flags.session_token.clone(),
                source: "command line",
            });
        }
        (Some(_), None) => {
            return Err(Error::Credentials(
                "--aws-access-key is set but --aws-secret-key is not".into(),
            ));
        }
        (None, Some(_)) => {
            return Err(Error::Credentials(
                "--aws-secret-key is set but --aws-access-key is not".into(),
            ));
        }
        (None, None) => {}
    }
    match (
        nonempty("AWS_ACCESS_KEY_ID"),
        nonempty("AWS_SECRET_ACCESS_KEY"),
    ) {
        (Some(ak), Some(sk)) => Ok(Credentials {
            access_key: ak,
            secret_key: sk,
            session_token: flags
                .session_token
                .clone()
                .or_else(|| nonempty("AWS_SESSION_TOKEN"))
                .or_else(|| nonempty("AWS_SECURITY_TOKEN")),
            source: "environment",
        }),
        (Some(_), None) => Err(Error::Credentials(
            "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not".into(),
        )),
        _ => Err(Error::Credentials(
            "no credentials: set --aws-access-key and --aws-secret-key, \
             or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                .into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials::new("AKIA1", "SECRETVALUE", Some("TOKENVALUE"));
        let d = format!("{c:?} {:#?}", c);
        assert!(d.contains("AKIA1"));
        assert!(!d.contains("SECRETVALUE") && !d.contains("TOKENVALUE"));
        let f = CredentialFlags {
            access_key: Some("AKIA1".into()),
            secret_key: Some("SECRETVALUE".into()),
            session_token: Some("TOKENVALUE".into()),
        };
        let d = format!("{f:?}");
        assert!(!d.contains("SECRETVALUE") && !d.contains("TOKENVALUE"));
    }

    #[test]
    fn flags_win_over_environment() {
        let flags = CredentialFlags {
            access_key: Some("FLAGAK".into()),
            secret_key: Some("FLAGSK".into()),
            session_token: None,
        };
        let env = env_of(&[
            ("AWS_ACCESS_KEY_ID", "ENVAK"),
            ("AWS_SECRET_ACCESS_KEY", "ENVSK"),
            ("AWS_SESSION_TOKEN", "ENVTOK"),
        ]);
        let c = resolve(&flags, &env).unwrap();
        assert_eq!(c.access_key(), "FLAGAK");
        assert_eq!(c.session_token(), None);
        assert_eq!(c.source(), "command line");
    }

    #[test]
    fn environment_with_legacy_token() {
        let env = env_of(&[
            ("AWS_ACCESS_KEY_ID", "ENVAK"),
            ("AWS_SECRET_ACCESS_KEY", "ENVSK"),
            ("AWS_SECURITY_TOKEN", "OLDTOK"),
        ]);
        let c = resolve(&CredentialFlags::default(), &env).unwrap();
        assert_eq!(c.secret_key(), "ENVSK");
        assert_eq!(c.session_token(), Some("OLDTOK"));
        assert_eq!(c.source(), "environment");
    }

    #[test]
    fn half_a_key_pair_is_an_error() {
        let flags = CredentialFlags {
            access_key: Some("AK".into()),
            ..Default::default()
        };
        let e = resolve(&flags, &env_of(&[])).unwrap_err().to_string();
        assert!(e.contains("--aws-secret-key is set") || e.contains("--aws-secret-key is not"));
        let e = resolve(&CredentialFlags::default(), &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("cannot get AWS credentials: no credentials"),
            "{e}"
        );
    }
}
