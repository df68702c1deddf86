//! Temporary credentials kept in the state directory between runs, so
//! that a check every minute does not ask STS or a metadata endpoint every
//! minute.

use serde_json::Value;

use super::value::Credentials;
use crate::error::Error;

/// Temporary credentials (web identity, container, instance metadata)
/// reused across runs until 5 minutes before they expire.
pub struct Cache<'a> {
    pub state: &'a crate::statefile::StateDir,
    /// Epoch seconds now.
    pub now: i64,
    /// Ignore what is kept (AWS just rejected it).
    pub refresh: bool,
}

/// What marks credentials that came from the state directory.
pub const CACHED: &str = "(cached)";

/// `fetch` unless the cache holds credentials for `key` that have more
/// than 5 minutes left; what `fetch` gets is kept (temporary keys only,
/// mode 0600).
pub fn cached(
    cache: Option<&Cache<'_>>,
    kind: &str,
    key: &str,
    fetch: impl FnOnce() -> Result<Credentials, Error>,
) -> Result<Credentials, Error> {
    let Some(c) = cache else {
        return fetch();
    };
    let path = c.state.file(kind, key);
    if !c.refresh {
        let kept = c.state.read(&path).and_then(|v| {
            let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
            let exp = v.get("expiration")?.as_i64()?;
            (exp > c.now + 300).then_some(())?;
            Some(
                Credentials::new(
                    &text("access_key")?,
                    &text("secret_key")?,
                    text("session_token").as_deref(),
                )
                .with_expiration(exp)
                .with_source(format!("{} {CACHED}", text("source")?)),
            )
        });
        if let Some(k) = kept {
            return Ok(k);
        }
    }
    let fresh = fetch()?;
    if let Some(exp) = fresh.expiration() {
        let _ = c.state.write(
            &path,
            &serde_json::json!({
                "version": crate::statefile::VERSION,
                "access_key": fresh.access_key(),
                "secret_key": fresh.secret_key(),
                "session_token": fresh.session_token(),
                "expiration": exp,
                "source": fresh.source(),
            }),
        );
    }
    Ok(fresh)
}
