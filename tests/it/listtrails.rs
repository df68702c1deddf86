//! `listtrails`: the plain list and Centreon host discovery.

use serde_json::{Value, json};

use crate::util::{PLUGIN, Reply, Request, Server, run, run_against};

fn server() -> Server {
    Server::start(|q: &Request| {
        if q.operation() != "ListTrails" {
            return Reply::aws_error(400, "UnknownOperationException", q.operation());
        }
        // Two pages.
        if q.json().get("NextToken").is_some() {
            Reply::json(
                200,
                json!({"Trails": [{"Name": "org", "HomeRegion": "us-east-1",
                "TrailARN": "arn:aws:cloudtrail:us-east-1:999999999999:trail/org"}]}),
            )
        } else {
            Reply::json(
                200,
                json!({"Trails": [{"Name": "main", "HomeRegion": "eu-west-1",
                "TrailARN": "arn:aws:cloudtrail:eu-west-1:123456789012:trail/main"}], "NextToken": "p2"}),
            )
        }
    })
}

fn list(s: &Server, extra: &[&str]) -> crate::util::Run {
    run_against(s, &[&["--mode=listtrails"][..], extra].concat())
}

#[test]
fn plain_list_follows_pages() {
    let s = server();
    let r = list(&s, &[]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout,
        "List trails: \n[name = main] [arn = arn:aws:cloudtrail:eu-west-1:123456789012:trail/main] [home_region = eu-west-1]\n\
         [name = org] [arn = arn:aws:cloudtrail:us-east-1:999999999999:trail/org] [home_region = us-east-1]\n"
    );
    let reqs = s.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].json(), json!({}));
    assert_eq!(reqs[1].json(), json!({"NextToken": "p2"}));
    let r = list(&s, &["--filter-trail-name=^or"]);
    assert_eq!(r.stdout.lines().count(), 2);
    assert!(r.stdout.contains("[name = org]"));
}

#[test]
fn discovery() {
    let s = server();
    let r = list(&s, &["--disco-format"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<data>\n  <element>name</element>\n  <element>arn</element>\n  <element>home_region</element>\n</data>\n"
    );
    assert!(s.requests().is_empty(), "the macros need no call");
    let r = list(&s, &["--disco-show"]);
    assert_eq!(r.code, 0);
    let doc = roxmltree::Document::parse(&r.stdout).unwrap();
    let labels: Vec<(String, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("label"))
        .map(|n| {
            (
                n.attribute("name").unwrap().to_owned(),
                n.attribute("home_region").unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        labels,
        [
            ("main".into(), "eu-west-1".into()),
            ("org".into(), "us-east-1".into())
        ]
    );
    let r = list(&s, &["--disco-show", "--output-json"]);
    let j: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        j["data"][0]["arn"],
        "arn:aws:cloudtrail:eu-west-1:123456789012:trail/main"
    );
    // Other modes have no discovery.
    let r = run(&[
        PLUGIN,
        "--mode=countevents",
        "--region=eu-west-1",
        "--disco-show",
    ]);
    assert_eq!(r.code, 3);
}
