//! `--output-openmetrics-textfile`: what node_exporter's textfile
//! collector reads from a `.prom` file (the Prometheus text format 0.0.4
//! as `expfmt.TextParser` parses it). The collector skips a whole file
//! whose samples carry a timestamp, and its registry fails the scrape
//! when one metric family has different label names in two files, so the
//! label names of a family must not depend on the state, the thresholds
//! or whether the check could run at all. The e2e suite parses the same
//! output with `prometheus_client`'s parser (tests/e2e/test_engine_icinga2.py).

use std::collections::BTreeMap;

use regex_lite::Regex;
use serde_json::json;

use crate::countevents::event;
use crate::util::{Reply, Request, Run, Server, TempDir, run_against};

/// GetTrailStatus logs, or not under `/off/`; LookupEvents has 3 events.
fn server() -> Server {
    Server::start(|req: &Request| match req.operation() {
        "GetTrailStatus" => Reply::json(200, json!({"IsLogging": !req.path.starts_with("/off")})),
        "LookupEvents" => Reply::json(
            200,
            json!({"Events": [
                event("e1", "AwsApiCall", None),
                event("e2", "AwsConsoleSignIn", Some("Failed authentication")),
                event("e3", "AwsServiceEvent", None),
            ]}),
        ),
        _ => Reply::aws_error(400, "UnknownOperationException", "unexpected"),
    })
}

/// One sample: family, label name -> value, value.
type Sample = (String, BTreeMap<String, String>, String);

/// A strict reading of a textfile collector file: `# TYPE name gauge`
/// once per family and before its samples, the samples of a family
/// together, valid names, escaped label values, a float value and no
/// timestamp, no other comment (`# EOF` included: it is OpenMetrics'),
/// no empty line, a final newline.
fn textfile(text: &str) -> Vec<Sample> {
    let name = r"[a-zA-Z_:][a-zA-Z0-9_:]*";
    let type_re = Regex::new(&format!(r"^# TYPE ({name}) gauge$")).unwrap();
    let sample_re = Regex::new(&format!(r"^({name})\{{(.*)\}} (\S+)$")).unwrap();
    let label_re =
        Regex::new(r#"^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)"#).unwrap();
    let number_re = Regex::new(r"^(-?[0-9]+(\.[0-9]+)?|NaN|[+-]Inf)$").unwrap();
    assert!(text.ends_with('\n'), "no final newline: {text:?}");
    let mut typed: Vec<String> = Vec::new();
    let mut samples: Vec<Sample> = Vec::new();
    for line in text.lines() {
        assert!(!line.is_empty(), "empty line in {text:?}");
        if let Some(c) = type_re.captures(line) {
            assert!(
                !typed.contains(&c[1].to_owned()),
                "TYPE {} twice: {text}",
                &c[1]
            );
            typed.push(c[1].to_owned());
            continue;
        }
        assert!(!line.starts_with('#'), "unexpected comment {line:?}");
        let c = sample_re
            .captures(line)
            .unwrap_or_else(|| panic!("not a sample without timestamp: {line:?}"));
        assert_eq!(
            typed.last().map(String::as_str),
            Some(&c[1]),
            "{line:?} outside its family: {text}"
        );
        assert!(number_re.is_match(&c[3]), "value in {line:?}");
        let mut labels = BTreeMap::new();
        let mut rest = &c[2];
        while !rest.is_empty() {
            let l = label_re
                .captures(rest)
                .unwrap_or_else(|| panic!("bad label syntax at {rest:?} in {line:?}"));
            let value = l[2]
                .replace("\\n", "\n")
                .replace("\\\"", "\"")
                .replace("\\\\", "\\");
            assert!(
                labels.insert(l[1].to_owned(), value).is_none(),
                "label twice: {line:?}"
            );
            rest = &rest[l.get(0).unwrap().end()..];
            assert!(
                l[3].is_empty() || !rest.is_empty(),
                "trailing comma: {line:?}"
            );
        }
        samples.push((c[1].to_owned(), labels, c[3].to_owned()));
    }
    samples
}

#[test]
fn the_textfile_check_is_strict() {
    let good = "# TYPE a gauge\na{x=\"1\",y=\"\"} 1.5\n";
    assert_eq!(textfile(good).len(), 1);
    for bad in [
        "# TYPE a gauge\na{x=\"1\"} 1 1700000000000\n", // a timestamp
        "# TYPE a gauge\na{x=\"1\"} 1\n# EOF\n",        // OpenMetrics' end
        "a{x=\"1\"} 1\n# TYPE a gauge\n",               // sample before TYPE
        "# TYPE a gauge\na{x=1} 1\n",                   // unquoted value
        "# TYPE a gauge\na{x=\"1\"} 1e5\n",             // an exponent
        "# TYPE a gauge\na{x=\"1\"} 1",                 // no final newline
    ] {
        let caught = std::panic::catch_unwind(|| textfile(bad));
        assert!(caught.is_err(), "accepted: {bad:?}");
    }
}

fn check(s: &Server, path: &str, args: &[&str]) -> Run {
    let endpoint = format!("--endpoint-url={}", s.url(path));
    let mut all = vec!["--output-openmetrics-textfile", endpoint.as_str()];
    all.extend_from_slice(args);
    run_against(s, &all)
}

const LABELS: [&str; 8] = [
    "critical", "instance", "max", "min", "mode", "plugin", "unit", "warning",
];

#[test]
fn every_sample_has_every_label_whatever_the_run() {
    let s = server();
    let count = ["--mode=countevents"];
    let trail = ["--mode=checktrailstatus", "--trail-name=t"];
    // OK, WARNING, CRITICAL, an execution error: the same label names
    // on every sample of every run, and no timestamp anywhere.
    let runs: Vec<(Run, i32)> = vec![
        (check(&s, "/", &count), 0),
        (
            check(&s, "/", &[&count[..], &["--warning-count=1"]].concat()),
            1,
        ),
        (check(&s, "/off/", &trail), 2),
        (check(&s, "/", &trail), 0),
        (
            check(&s, "/", &[&trail[..], &["--aws-secret-key="]].concat()),
            3,
        ),
    ];
    let mut families: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (r, code) in &runs {
        assert_eq!(r.code, *code, "{}", r.stdout);
        for (family, labels, _) in textfile(&r.stdout) {
            let names: Vec<String> = labels.keys().cloned().collect();
            assert_eq!(names, LABELS, "{}", r.stdout);
            families.entry(family).or_default().push(r.stdout.clone());
        }
    }
    assert_eq!(
        families.keys().collect::<Vec<_>>(),
        ["events_count", "plugin_mode_status", "trail_is_logging"]
    );
    // The status metric is the exit code; thresholds are label values.
    let (_, labels, value) = textfile(&runs[1].0.stdout).remove(0);
    assert_eq!(value, "3.00");
    assert_eq!(labels["warning"], "0:1");
    assert_eq!(labels["critical"], "");
    assert_eq!(labels["min"], "0");
    let status = |r: &Run| textfile(&r.stdout).pop().unwrap();
    for (r, code) in &runs {
        let (name, _, value) = status(r);
        assert_eq!(
            (name.as_str(), value),
            ("plugin_mode_status", code.to_string())
        );
    }
}

#[test]
fn same_metrics_as_openmetrics_without_timestamps() {
    let s = server();
    let args = ["--mode=countevents", "--critical-count=2"];
    let tf = check(&s, "/", &args);
    let om = run_against(&s, &[&args[..], &["--output-openmetrics"]].concat());
    assert_eq!(tf.code, om.code);
    // OpenMetrics' lines, their timestamp, the empty labels and # EOF
    // taken away, are the textfile's lines with their empty labels taken
    // away.
    let ts = Regex::new(r" [0-9]+\.[0-9]{3}$").unwrap();
    let empty = Regex::new(r#",?[a-z]+="""#).unwrap();
    let strip = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| *l != "# EOF")
            .map(|l| empty.replace_all(&ts.replace(l, ""), "").into_owned())
            .collect()
    };
    assert_eq!(strip(&tf.stdout), strip(&om.stdout));
    // --output-file writes the same bytes (what the collector reads).
    let dir = TempDir::new("prom");
    let prom = dir.0.join("cloudtrail.prom");
    let file = format!("--output-file={}", prom.display());
    let written = check(&s, "/", &[&args[..], &[file.as_str()]].concat());
    assert_eq!((written.stdout.as_str(), written.code), ("", 2));
    assert_eq!(std::fs::read_to_string(&prom).unwrap(), tf.stdout);
}

#[test]
fn json_wins_and_carries_the_status_metric() {
    // As with --output-openmetrics (upstream's precedence).
    let s = server();
    let r = check(&s, "/", &["--mode=countevents", "--output-json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let labels: Vec<&str> = v["plugin"]["perfdatas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["events_count", "plugin.mode.status"]);
}
