//! Output a monitoring engine can trust, whatever the servers say: hostile
//! strings in every format, the 8 KB output budget, times in the future,
//! and a proxy that wants credentials.

use std::io::Write;
use std::net::TcpStream;
use std::sync::Mutex;

use serde_json::{Value, json};

use crate::util::{
    PLUGIN, RawServer, Reply, Request, Run, SECRET, Server, TempDir, now, run, run_against,
    take_request,
};

/// Everything that can cut, forge or garble a line, quote or markup.
const HOSTILE: &str = "x\r\nCRITICAL: forged | 'a'=1 \u{1b}[31mred\0nul\u{85}nel\u{2028}ls\u{2029}ps \
                       '\"<&>\u{1}\u{7f}\u{b}\u{c}\u{fffe}\u{ffff}end";
const ARN: &str = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/";

fn trails(names: &[&str]) -> Value {
    names
        .iter()
        .map(|n| json!({"Name": n, "TrailARN": format!("{ARN}{}", n.len()), "HomeRegion": "eu-west-1"}))
        .collect()
}

/// ListTrails with `names`; every trail but the first is logging.
fn server(names: &[&str]) -> Server {
    let list = trails(names);
    let first = format!("{ARN}{}", names.first().map_or(0, |n| n.len()));
    Server::start(move |q: &Request| match q.operation() {
        "ListTrails" => Reply::json(200, json!({"Trails": list.clone()})),
        "GetTrailStatus" => {
            let logging = q.json()["Name"] != first.as_str();
            Reply::json(200, json!({"IsLogging": logging}))
        }
        other => Reply::aws_error(400, "UnknownOperationException", other),
    })
}

/// No control character but the line ends, no Unicode line separator.
fn assert_clean(text: &str) {
    for c in text.chars() {
        assert!(
            (!c.is_control() || c == '\n') && !matches!(c, '\u{2028}' | '\u{2029}'),
            "{c:?} in {text:?}"
        );
    }
}

/// The same run with benign names gives as many lines: no hostile string
/// made one of its own.
fn same_shape(args: &[&str]) -> (Run, Run) {
    let hostile = server(&[HOSTILE, "b"]);
    let benign = server(&["a", "b"]);
    let r = run_against(&hostile, args);
    let b = run_against(&benign, args);
    assert_clean(&r.stdout);
    assert_eq!(r.code, b.code, "{}", r.stdout);
    assert_eq!(
        r.stdout.lines().count(),
        b.stdout.lines().count(),
        "{:?}\nagainst\n{:?}",
        r.stdout,
        b.stdout
    );
    (r, b)
}

#[test]
fn a_hostile_trail_name_in_the_plain_list() {
    for extra in [
        &[][..],
        &["--verbose"],
        &["--output-xml"],
        &["--output-json"],
    ] {
        let (r, _) = same_shape(&[&["--mode=listtrails"][..], extra].concat());
        assert_eq!(r.code, 0);
        assert!(!r.stdout.contains('|'), "{:?}", r.stdout);
        assert!(
            r.stdout.lines().skip(1).all(|l| l.starts_with("[name = ")),
            "{:?}",
            r.stdout
        );
        assert!(r.stdout.contains("CRITICAL: forged"), "{:?}", r.stdout);
    }
}

#[test]
fn a_hostile_trail_name_in_discovery() {
    let s = server(&[HOSTILE, "b"]);
    let r = run_against(&s, &["--mode=listtrails", "--disco-show"]);
    assert_eq!(r.code, 0);
    assert_clean(&r.stdout);
    let doc =
        roxmltree::Document::parse(&r.stdout).unwrap_or_else(|e| panic!("{e}: {:?}", r.stdout));
    let name = doc
        .descendants()
        .find(|n| n.has_tag_name("label"))
        .and_then(|n| n.attribute("name"))
        .unwrap()
        .to_owned();
    assert_clean(&name);
    assert!(
        name.contains("CRITICAL: forged") && name.contains("'\"<&>"),
        "{name:?}"
    );
    let r = run_against(&s, &["--mode=listtrails", "--disco-show", "--output-json"]);
    assert_clean(&r.stdout);
    let j: Value = serde_json::from_str(&r.stdout).unwrap();
    let name = j["data"][0]["name"].as_str().unwrap();
    assert_clean(name);
    assert!(name.contains("CRITICAL: forged"), "{name:?}");
}

const CHECK: [&str; 3] = ["--mode=checktrailstatus", "--all-trails", "--api-rate=0"];

#[test]
fn a_hostile_trail_name_in_the_status_line_and_long_output() {
    for extra in [&[][..], &["--verbose"]] {
        let (r, _) = same_shape(&[&CHECK[..], extra].concat());
        assert_eq!(r.code, 2);
        let first = r.line();
        assert!(
            first.starts_with("CRITICAL: x  CRITICAL: forged / "),
            "{first}"
        );
        assert_eq!(first.matches('|').count(), 1, "{first}");
        assert!(
            r.stdout.lines().skip(1).all(|l| !l.contains('|')),
            "{:?}",
            r.stdout
        );
    }
}

#[test]
fn a_hostile_trail_name_in_xml_json_and_openmetrics() {
    let (r, _) = same_shape(&[&CHECK[..], &["--output-xml", "--verbose"]].concat());
    let doc =
        roxmltree::Document::parse(&r.stdout).unwrap_or_else(|e| panic!("{e}: {:?}", r.stdout));
    let msgs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("msg") || n.has_tag_name("label"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        msgs.iter().any(|m| m.contains("forged | 'a'=1")),
        "{msgs:?}"
    );
    msgs.iter().for_each(|m| assert_clean(m));

    let (r, _) = same_shape(&[&CHECK[..], &["--output-json", "--verbose"]].concat());
    let j: Value = serde_json::from_str(&r.stdout).unwrap();
    let msg = j["plugin"]["outputs"][0]["msg"].as_str().unwrap();
    assert!(msg.starts_with("CRITICAL: x  CRITICAL: forged"), "{msg}");
    assert_clean(msg);
    let label = j["plugin"]["perfdatas"][0]["label"].as_str().unwrap();
    assert!(label.contains("'\"<&>"), "{label}");
    assert_clean(label);

    let from = now() as f64;
    let (r, _) = same_shape(&[&CHECK[..], &["--output-openmetrics"]].concat());
    let samples = crate::generic::openmetrics(&r.stdout, from, now() as f64);
    let instance = samples
        .iter()
        .find_map(|s| s.label("instance").filter(|i| i.contains("forged")))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(instance.contains("'\"<&>"), "{instance:?}");
    assert_clean(instance);
}

/// A name long enough that a few trails' metrics overrun the budget.
fn long_name(i: usize) -> String {
    format!("t{i:03}-a-trail-with-a-rather-long-name")
}

/// Trails `t000-…`, `t001-…`, all logging.
fn many(n: usize) -> Server {
    let names: Vec<String> = (0..n).map(long_name).collect();
    let list = trails(&names.iter().map(String::as_str).collect::<Vec<_>>());
    Server::start(move |q: &Request| match q.operation() {
        "ListTrails" => Reply::json(200, json!({"Trails": list.clone()})),
        "GetTrailStatus" => Reply::json(200, json!({"IsLogging": true})),
        other => Reply::aws_error(400, "UnknownOperationException", other),
    })
}

/// The labels of the first line's perfdata, each checked whole.
fn kept_labels(first: &str) -> Vec<String> {
    let (_, perf) = first.split_once('|').unwrap();
    let re = regex_lite::Regex::new(
        r"^'(t[0-9]{3}-a-trail-with-a-rather-long-name)#trail_is_logging'=1;;;0;$",
    )
    .unwrap();
    perf.split(' ')
        .filter(|m| !m.is_empty())
        .map(|m| {
            re.captures(m)
                .unwrap_or_else(|| panic!("half a metric: {m:?} in {first}"))[1]
                .to_owned()
        })
        .collect()
}

/// Enough for the status line and its perfdata alone to overrun 8 KB.
const TRAILS: usize = 160;

#[test]
fn output_fits_the_engines_buffer() {
    let s = many(TRAILS);
    let args = [&CHECK[..], &["--verbose"]].concat();
    let a = run_against(&s, &args);
    let b = run_against(&s, &args);
    for r in [&a, &b] {
        assert_eq!(r.code, 0, "{}", r.stdout);
        assert!(r.stdout.len() <= 8192, "{} bytes", r.stdout.len());
        assert!(
            r.line().contains(" metrics dropped: output budget)"),
            "{}",
            r.line()
        );
        let marker = r.stdout.lines().last().unwrap();
        assert!(
            marker.starts_with("...") && marker.contains("output budget"),
            "{marker}"
        );
    }
    let kept = kept_labels(a.line());
    assert_eq!(kept, kept_labels(b.line()), "the same metrics on every run");
    // Kept in their order, dropped from the end.
    let expected: Vec<String> = (0..kept.len()).map(long_name).collect();
    assert_eq!(kept, expected);
    assert!(kept.len() > 50 && kept.len() < TRAILS, "{}", kept.len());
    let dropped = TRAILS - kept.len();
    assert!(
        a.line()
            .contains(&format!("({dropped} metrics dropped: output budget)")),
        "{}",
        a.line()
    );
    // --output-file and the structured formats are not cut.
    let dir = TempDir::new("budget");
    let file = format!("--output-file={}/out", dir.0.display());
    let r = run_against(&s, &[&CHECK[..], &["--verbose", &file]].concat());
    assert_eq!(r.stdout, "");
    let written = std::fs::read_to_string(dir.0.join("out")).unwrap();
    assert!(
        written.len() > 8192 && !written.contains("dropped"),
        "{}",
        written.len()
    );
    let j = run_against(&s, &[&CHECK[..], &["--output-json"]].concat());
    let j: Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(j["plugin"]["perfdatas"].as_array().unwrap().len(), TRAILS);
}

#[test]
fn a_delivery_in_the_future_is_not_a_delivery() {
    let t = now();
    let s = Server::start(move |q: &Request| match q.operation() {
        "DescribeTrails" => Reply::json(
            200,
            json!({"trailList": [{"Name": "main", "TrailARN": format!("{ARN}main")}]}),
        ),
        "GetTrailStatus" => Reply::json(
            200,
            json!({"IsLogging": true, "LatestDeliveryTime": t + 7200}),
        ),
        other => Reply::aws_error(400, "UnknownOperationException", other),
    });
    let r = run_against(&s, &["--mode=traildelivery", "--trail-name=main"]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(
        r.line()
            .starts_with("UNKNOWN: Trail main: S3 log files: latest delivery is ")
            && r.line()
                .contains(" in the future (clock skew or a forged answer)"),
        "{}",
        r.line()
    );
    assert!(!r.line().contains("ago"), "{}", r.line());
    assert!(!r.line().contains("delivery_age"), "{}", r.line());
}

#[test]
fn a_proxy_asking_for_credentials_is_not_asked_again() {
    let proxy = RawServer::start(|stream: TcpStream, recorded: &Mutex<Vec<Request>>| {
        if take_request(&stream, recorded).is_some() {
            let _ = (&stream).write_all(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n\
                  Proxy-Authenticate: Basic realm=\"x\"\r\ncontent-length: 0\r\n\r\n",
            );
        }
    });
    let secret = format!("--aws-secret-key={SECRET}");
    let proxy_url = format!(
        "--proxyurl=http://user:PROXYPASSWORD@127.0.0.1:{}",
        proxy.port
    );
    let r = run(&[
        PLUGIN,
        "--region=eu-west-1",
        "--aws-access-key=AKIDEXAMPLE",
        &secret,
        &proxy_url,
        "--mode=checktrailstatus",
        "--trail-name=main",
        "--debug",
    ]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert_eq!(
        r.line(),
        format!(
            "UNKNOWN: GetTrailStatus failed: proxy authentication required (HTTP 407) by 127.0.0.1:{} ",
            proxy.port
        )
    );
    assert!(!r.stdout.contains("PROXYPASSWORD"), "{}", r.stdout);
    let asked = proxy.requests.lock().unwrap().clone();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(asked[0].method, "CONNECT");
}
