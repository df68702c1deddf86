//! Following `NextToken` through the pages of a list, whoever fetches the
//! pages (our client or the `aws` CLI) and whatever they hold: either
//! every item or an error, never a silent partial list.

use std::time::Duration;

use super::quota::Throttle;
use crate::clock::Clock;
use crate::error::{Error, Limit};
use crate::json::{Answer, ReadError};
use crate::trace::Trace;

/// Gets one page, as it came: the token of the page (none for the first).
pub type FetchPage<'a> = dyn FnMut(Option<&str>, &mut Trace) -> Result<Answer, Error> + 'a;

/// Reads one page from its bytes: its items and the next token, or what
/// is wrong with it. A reader may keep state across the pages of a read
/// (what they hold so far).
pub type ReadPage<'a, T> = dyn FnMut(&[u8]) -> Result<(Vec<T>, Option<String>), ReadError> + 'a;

/// Asked after each page that has another after it, with every item so
/// far: true stops paging there (the read is then not complete).
pub type Stop<'a, T> = dyn FnMut(&[T]) -> bool + 'a;

/// The items a read gave: all of them, or — when `stop` said so — those
/// of the pages read so far.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pages<T> {
    pub items: Vec<T>,
    /// False when paging stopped early with pages left.
    pub complete: bool,
}

/// Paced by `throttle` when given (the native client paces inside its
/// caller), capped at `max_pages`, bounded by the run's deadline.
pub struct Pager<'a> {
    pub clock: &'a dyn Clock,
    pub remaining: &'a dyn Fn() -> Duration,
    pub limit: Limit,
    pub max_pages: u32,
    pub throttle: Option<&'a dyn Throttle>,
}

impl Pager<'_> {
    /// `fetch(token)` gets one page of `op` (the first with `None`),
    /// `read` takes it apart; `stop` is asked after each page that has a
    /// next one. A token that comes back twice would loop: an error.
    pub fn collect<T>(
        &self,
        op: &'static str,
        read: &mut ReadPage<'_, T>,
        fetch: &mut FetchPage<'_>,
        stop: &mut Stop<'_, T>,
        trace: &mut Trace,
    ) -> Result<Pages<T>, Error> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        for page_number in 1..=self.max_pages {
            if let Some(t) = self.throttle {
                t.acquire(op, self.clock, (self.remaining)())
                    .map_err(|q| Error::Quota {
                        op,
                        wait_ms: u64::try_from(q.wait.as_millis()).unwrap_or(u64::MAX),
                        limit: self.limit,
                    })?;
            }
            let page = fetch(token.as_deref(), trace)?;
            let (mut page_items, next) = read(&page.bytes).map_err(|e| Error::BadResponse {
                op,
                detail: page.detail(e),
            })?;
            drop(page);
            items.append(&mut page_items);
            if next.is_some() && stop(&items) {
                trace.log(|| {
                    format!("{op}: stopped after {page_number} pages, more events left unread")
                });
                return Ok(Pages {
                    items,
                    complete: false,
                });
            }
            match next {
                Some(t) if Some(&t) == token.as_ref() => {
                    return Err(Error::BadResponse {
                        op,
                        detail: "the same NextToken came back twice".into(),
                    });
                }
                Some(t) => token = Some(t),
                None => {
                    return Ok(Pages {
                        items,
                        complete: true,
                    });
                }
            }
        }
        Err(Error::PageCap {
            op,
            pages: self.max_pages,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn numbers(bytes: &[u8]) -> Result<(Vec<u64>, Option<String>), ReadError> {
        let v = crate::json::parse(bytes)?;
        let items = v
            .get("Items")
            .and_then(Value::as_array)
            .ok_or_else(|| ReadError::Shape("no Items".into()))?
            .iter()
            .filter_map(Value::as_u64)
            .collect();
        Ok((
            items,
            v.get("NextToken")
                .and_then(Value::as_str)
                .map(str::to_owned),
        ))
    }

    fn answer(v: Value) -> Answer {
        Answer {
            bytes: v.to_string().into_bytes(),
            not_json: "body is not JSON".into(),
        }
    }

    fn pager(max_pages: u32) -> Pager<'static> {
        Pager {
            clock: &crate::clock::SystemClock,
            remaining: &|| Duration::from_secs(60),
            limit: Limit {
                secs: 60,
                option: "--timeout",
            },
            max_pages,
            throttle: None,
        }
    }

    #[test]
    fn every_page_or_an_error() {
        let mut fetch = |token: Option<&str>, _: &mut Trace| {
            Ok(answer(match token {
                None => json!({"Items": [1, 2], "NextToken": "t2"}),
                Some(_) => json!({"Items": [3]}),
            }))
        };
        let got = pager(2)
            .collect(
                "Op",
                &mut numbers,
                &mut fetch,
                &mut |_| false,
                &mut Trace::new(false),
            )
            .unwrap();
        assert_eq!(
            got,
            Pages {
                items: vec![1, 2, 3],
                complete: true
            }
        );
        assert!(matches!(
            pager(1).collect(
                "Op",
                &mut numbers,
                &mut fetch,
                &mut |_| false,
                &mut Trace::new(false)
            ),
            Err(Error::PageCap { op: "Op", pages: 1 })
        ));
        let e = pager(5)
            .collect(
                "Op",
                &mut numbers,
                &mut |_, _| Ok(answer(json!({"Items": [], "NextToken": "same"}))),
                &mut |_| false,
                &mut Trace::new(false),
            )
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "Op failed: unexpected response: the same NextToken came back twice"
        );
        let e = pager(5)
            .collect(
                "Op",
                &mut numbers,
                &mut |_, _| Ok(answer(json!({}))),
                &mut |_| false,
                &mut Trace::new(false),
            )
            .unwrap_err();
        assert_eq!(e.to_string(), "Op failed: unexpected response: no Items");
    }
}
