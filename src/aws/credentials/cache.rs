//! Temporary credentials kept in the state directory between runs, so
//! that a check every minute does not ask STS or a metadata endpoint every
//! minute.

use serde_json::Value;

use super::value::Credentials;
use crate::error::Error;
use crate::statefile::SMALL_CAP;

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
        // Only from a file the plugin itself wrote (`StateDir::read`):
        // planted keys would sign our requests.
        let kept = c
            .state
            .read_bytes(&path, SMALL_CAP)
            .and_then(|b| from_cache_file(&b, c.now));
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
            SMALL_CAP,
        );
    }
    Ok(fresh)
}

/// Credentials from a cache file's bytes, if they are of this version and
/// have more than 5 minutes left at `now`.
pub fn from_cache_file(bytes: &[u8], now: i64) -> Option<Credentials> {
    let v = crate::statefile::parse(bytes)?;
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let exp = v.get("expiration")?.as_i64()?;
    (exp > now.saturating_add(300)).then_some(())?;
    Some(
        Credentials::new(
            &text("access_key")?,
            &text("secret_key")?,
            text("session_token").as_deref(),
        )
        .with_expiration(exp)
        .with_source(format!("{} {CACHED}", text("source")?)),
    )
}
