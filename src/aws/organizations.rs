//! AWS Organizations' `ListAccounts`, for `logintegrity --all-accounts`:
//! which member accounts an organization trail should have logs of
//! (an active account without its folder is failing; a closed one is not
//! expected). JSON 1.1 like CloudTrail, one global endpoint per partition.

use serde_json::{Value, json};

use super::caller::{Caller, Target};
use super::credentials::value::Credentials;
use super::endpoint::{self, Endpoint};
use crate::env::Env;
use crate::error::Error;
use crate::trace::Trace;

const TARGET_PREFIX: &str = "AWSOrganizationsV20161128";
const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
const OP: &str = "ListAccounts";

/// Pages read at most: 20 accounts a page, an organization holds at most
/// 10 000 by default quota.
pub const MAX_PAGES: u32 = 500;

/// Organizations answers in one region per partition (its global
/// endpoint), and is signed for it.
pub fn home_region(region: &str) -> &'static str {
    match endpoint::partition(region).name {
        "aws-us-gov" => "us-gov-west-1",
        "aws-cn" => "cn-northwest-1",
        "aws-iso" => "us-iso-east-1",
        "aws-iso-b" => "us-isob-east-1",
        _ => "us-east-1",
    }
}

/// `AWS_ENDPOINT_URL_ORGANIZATIONS`, else `AWS_ENDPOINT_URL`, else the
/// partition's endpoint (`--endpoint-url` is CloudTrail's only).
pub fn resolve(region: &str, env: &dyn Env) -> Result<Endpoint, String> {
    endpoint::resolve("organizations", home_region(region), false, None, env)
}

/// One member account as `ListAccounts` lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    pub id: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`.
    pub status: String,
    /// The newer `State` (`ACTIVE`, `SUSPENDED`, `PENDING_ACTIVATION`,
    /// `PENDING_CLOSURE`, `CLOSED`), when given.
    pub state: Option<String>,
}

impl Account {
    /// Whether its trail logs are expected: active, not being closed.
    pub fn expected(&self) -> bool {
        self.status == "ACTIVE" && self.state.as_deref().is_none_or(|s| s == "ACTIVE")
    }
}

/// One page: the accounts and the next token.
pub fn accounts_page(v: &Value) -> Result<(Vec<Account>, Option<String>), String> {
    let list = v
        .get("Accounts")
        .and_then(Value::as_array)
        .ok_or("no Accounts list")?;
    let mut accounts = Vec::with_capacity(list.len());
    for a in list {
        let text = |k: &str| a.get(k).and_then(Value::as_str).map(str::to_owned);
        let id = text("Id")
            .filter(|id| super::arn::is_account_id(id))
            .ok_or_else(|| {
                format!(
                    "an account without a 12-digit Id: {}",
                    crate::text::cut(&a.to_string(), 80)
                )
            })?;
        accounts.push(Account {
            id,
            status: text("Status").unwrap_or_default(),
            state: text("State"),
        });
    }
    let next = v
        .get("NextToken")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    Ok((accounts, next))
}

pub struct Client<'a> {
    pub caller: &'a Caller<'a>,
    pub creds: &'a Credentials,
    pub endpoint: &'a Endpoint,
    /// The signing region ([`home_region`]).
    pub region: &'a str,
}

impl Client<'_> {
    /// Every page of `ListAccounts`.
    pub fn list_accounts(&self, trace: &mut Trace) -> Result<Vec<Account>, Error> {
        let target = Target {
            endpoint: self.endpoint,
            region: self.region,
            service: "organizations",
        };
        let headers = [
            ("content-type", CONTENT_TYPE.to_owned()),
            ("x-amz-target", format!("{TARGET_PREFIX}.{OP}")),
        ];
        let mut accounts = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let params = match &token {
                Some(t) => json!({"NextToken": t}),
                None => json!({}),
            };
            let body = serde_json::to_vec(&params).map_err(|e| Error::Internal(e.to_string()))?;
            let resp = self
                .caller
                .send(OP, &target, Some(self.creds), &headers, &body, trace)?;
            let bad = |detail: String| Error::BadResponse { op: OP, detail };
            let v = crate::json::parse(&resp.body)
                .map_err(|e| bad(format!("HTTP {} body is not JSON ({e})", resp.status)))?;
            let (more, next) = accounts_page(&v).map_err(bad)?;
            accounts.extend(more);
            match next {
                None => return Ok(accounts),
                Some(t) if token.as_deref() == Some(t.as_str()) => {
                    return Err(bad("the same NextToken twice".into()));
                }
                Some(t) => token = Some(t),
            }
        }
        Err(Error::PageCap {
            op: OP,
            pages: MAX_PAGES,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MapEnv;

    #[test]
    fn a_page_reads_ids_states_and_the_token() {
        let v = json!({"Accounts": [
            {"Id": "111122223333", "Status": "ACTIVE", "State": "ACTIVE"},
            {"Id": "444455556666", "Status": "SUSPENDED", "State": "CLOSED"},
            {"Id": "777788889999", "Status": "ACTIVE"},
        ], "NextToken": "t2"});
        let (accounts, next) = accounts_page(&v).unwrap();
        assert_eq!(next.as_deref(), Some("t2"));
        let expected: Vec<&str> = accounts
            .iter()
            .filter(|a| a.expected())
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(expected, ["111122223333", "777788889999"]);
        let e = accounts_page(&json!({"Accounts": [{"Id": "12"}]})).unwrap_err();
        assert!(e.contains("\"12\""), "{e}");
        assert!(accounts_page(&json!({})).is_err());
    }

    #[test]
    fn one_endpoint_per_partition_or_the_configured_one() {
        let env = MapEnv::new(&[]);
        assert_eq!(
            resolve("eu-west-3", &env).unwrap().url,
            "https://organizations.us-east-1.amazonaws.com/"
        );
        assert_eq!(home_region("us-gov-east-1"), "us-gov-west-1");
        assert_eq!(home_region("cn-north-1"), "cn-northwest-1");
        let env = MapEnv::new(&[("AWS_ENDPOINT_URL_ORGANIZATIONS", "http://127.0.0.1:9/")]);
        assert_eq!(
            resolve("eu-west-3", &env).unwrap().url,
            "http://127.0.0.1:9/"
        );
    }
}
