//! Credentials as values: what the signer, STS and the caches pass
//! around. The secret key and the session token never leave
//! [`Credentials`] except into the signer: `Debug` prints the access key
//! id only, and [`CredentialFlags`] hides its secrets the same way.

use std::fmt;

#[derive(Clone)]
pub struct Credentials {
    access_key: String,
    secret_key: String,
    session_token: Option<String>,
    /// Epoch seconds, for temporary credentials.
    expiration: Option<i64>,
    /// Where they came from, for messages and `--debug`.
    source: String,
}

impl Credentials {
    pub fn new(access_key: &str, secret_key: &str, session_token: Option<&str>) -> Self {
        Credentials {
            access_key: access_key.to_owned(),
            secret_key: secret_key.to_owned(),
            session_token: session_token.map(str::to_owned),
            expiration: None,
            source: "explicit".to_owned(),
        }
    }

    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    pub fn with_expiration(mut self, epoch: i64) -> Self {
        self.expiration = Some(epoch);
        self
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

    pub fn expiration(&self) -> Option<i64> {
        self.expiration
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every secret string these credentials hold, for output redaction.
    pub fn secrets(&self) -> Vec<String> {
        let mut v = vec![self.secret_key.clone()];
        v.extend(self.session_token.clone());
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
            .field("expiration", &self.expiration)
            .field("source", &self.source)
            .finish()
    }
}

/// What the command line said about credentials. Empty values were
/// already turned into `None` by the option parser.
#[derive(Clone, Default, PartialEq)]
pub struct CredentialFlags {
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub session_token: Option<String>,
    /// `--aws-profile`.
    pub profile: Option<String>,
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
            .field("profile", &self.profile)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials::new("AKIA1", "SECRETVALUE", Some("TOKENVALUE"));
        let d = format!("{c:?} {c:#?}");
        assert!(d.contains("AKIA1"));
        assert!(!d.contains("SECRETVALUE") && !d.contains("TOKENVALUE"));
        let f = CredentialFlags {
            access_key: Some("AKIA1".into()),
            secret_key: Some("SECRETVALUE".into()),
            session_token: Some("TOKENVALUE".into()),
            profile: Some("p".into()),
        };
        let d = format!("{f:?}");
        assert!(!d.contains("SECRETVALUE") && !d.contains("TOKENVALUE"));
    }
}
