//! Centreon's generic options (`centreon/plugins/output.pm`, `script.pm`,
//! `script_custom.pm`, `passwordmgr/environment.pm`) end to end: the built
//! binary against a loopback CloudTrail, every case with its exact stdout
//! and exit code. Each case names the upstream function it follows; the
//! reference is the written spec of upstream's behaviour, verified by
//! running the Perl code (its sections are quoted as §n).
//!
//! The server answers LookupEvents with 3 events, so the baseline is
//! `OK: Number of events: 3.00 | 'events_count'=3.00;;;0;`; thresholds
//! and options give WARNING and CRITICAL. GetTrailStatus answers
//! `IsLogging: true`, or false under the `/off/` path; `/slow/` answers
//! after 5 seconds.
//!
//! The generic output options' full tables are unit tests beside their
//! code (`src/output/{perfdata_rewrite,text_rewrite,exit_rewrite}/tests.rs`,
//! `src/output/mod.rs`), on the outcome these runs hand over; here one or
//! two rows per option prove each through the binary, with the rows only
//! the command line can show (a value as the next argument, --help,
//! --version, --opt-exit).
//!
//! Our deliberate deviations from upstream are tested as ours: fixed key
//! order in JSON/XML, no exponents, valid OpenMetrics (names, `# TYPE`,
//! seconds with 3 decimals, `# EOF`), countevents' thresholds echoed in
//! perfdata, thresholds re-printed by our range type (`0:5` for `5`),
//! regex-lite instead of Perl regexes (an unsupported construct is an
//! UNKNOWN naming the option), `eval()`/Perl code refused, discovery
//! refused, `--runas`/`--multiple`/`--no-sanity-options`/`--environment`
//! refused, `--pass-manager` only `environment`, bad exit values are
//! errors. Where the binary contradicts the spec otherwise, the test for
//! the behaviour we believe correct is `#[ignore = "BUG: …"]`.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use regex_lite::Regex;
use serde_json::{Value, json};

use crate::countevents::event;
use crate::util::{MODES, PLUGIN, Reply, Request, Run, SECRET, Server, TempDir, run, run_env};

/// The countevents line with no option.
const BASE: &str = "OK: Number of events: 3.00 | 'events_count'=3.00;;;0;\n";
/// The checktrailstatus line of a logging trail.
const TRAIL_OK: &str = "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\n";
/// checktrailstatus' long output for a trail that never logged.
const TRAIL_LONG: &str = "logging started: never, stopped: never\nlatest log delivery: never\n";
/// countevents' long output: the events counted (ours: upstream has none).
const COUNT_LONG: &str = "2024-01-01T00:00:00Z LookupEvents - -\n\
                          2024-01-01T00:00:00Z LookupEvents - - SomeError\n\
                          2024-01-01T00:00:00Z LookupEvents - -\n";

fn server() -> Server {
    Server::start(|req: &Request| {
        if req.path.starts_with("/slow") {
            std::thread::sleep(Duration::from_secs(5));
        }
        match req.operation() {
            "GetTrailStatus" => {
                Reply::json(200, json!({"IsLogging": !req.path.starts_with("/off")}))
            }
            "LookupEvents" => Reply::json(
                200,
                json!({"Events": [
                    event("e1", "AwsApiCall", None),
                    event("e2", "AwsConsoleSignIn", Some("Failed authentication")),
                    event("e3", "AwsServiceEvent", None),
                ]}),
            ),
            _ => Reply::aws_error(400, "UnknownOperationException", "unexpected"),
        }
    })
}

/// A check with keys on the command line, the endpoint at `path`.
fn check_at(s: &Server, path: &str, mode: &[&str], extra: &[&str]) -> Run {
    let endpoint = format!("--endpoint-url={}", s.url(path));
    let secret = format!("--aws-secret-key={SECRET}");
    let mut args = vec![
        PLUGIN,
        "--custommode=paws",
        "--region=eu-west-1",
        "--aws-access-key=AKIDEXAMPLE",
        &secret,
        &endpoint,
    ];
    args.extend_from_slice(mode);
    args.extend_from_slice(extra);
    run(&args)
}

fn count(s: &Server, extra: &[&str]) -> Run {
    check_at(s, "/", &["--mode=countevents"], extra)
}

fn trail(s: &Server, extra: &[&str]) -> Run {
    check_at(
        s,
        "/",
        &["--mode=checktrailstatus", "--trail-name=my-trail"],
        extra,
    )
}

fn trail_off(s: &Server, extra: &[&str]) -> Run {
    check_at(
        s,
        "/off/",
        &["--mode=checktrailstatus", "--trail-name=my-trail"],
        extra,
    )
}

/// Options, exact stdout, exit code.
type Case<'a> = (&'a [&'a str], &'a str, i32);

fn table(s: &Server, check: fn(&Server, &[&str]) -> Run, cases: &[Case<'_>]) {
    for (extra, out, code) in cases {
        let r = check(s, extra);
        assert_eq!(
            (r.stdout.as_str(), r.code),
            (*out, *code),
            "options {extra:?}"
        );
    }
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

// ---------------------------------------------------------------------
// Long output: --verbose, --debug, --debug-stream
// ---------------------------------------------------------------------

#[test]
fn verbose() {
    let s = server();
    // output.pm::display: upstream's countevents adds no long message
    // (§4 --verbose); ours lists the events counted (a deliberate
    // addition, the status line and perfdata unchanged).
    let count_long = format!("{BASE}{COUNT_LONG}");
    table(
        &s,
        count,
        &[
            (&["--verbose"], &count_long, 0),
            (&["--verbose=0"], BASE, 0),
        ],
    );
    let long = format!("{TRAIL_OK}{TRAIL_LONG}");
    table(
        &s,
        trail,
        &[
            // output.pm::output_txt: long output only with --verbose.
            (&[], TRAIL_OK, 0),
            // output.pm::output_txt: long lines after the status line.
            (&["--verbose"], &long, 0),
            // alternative/Getopt.pm: a flag given 0 is not set.
            (&["--verbose=0"], TRAIL_OK, 0),
            // alternative/Getopt.pm: `--flag value` consumes the value.
            (&["--verbose", "0"], TRAIL_OK, 0),
        ],
    );
    // output.pm::output_txt: CRITICAL keeps the long output.
    let r = trail_off(&s, &["--verbose"]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            format!("CRITICAL: Trail is logging: 0 | 'trail_is_logging'=0;;;0;\n{TRAIL_LONG}")
                .as_str(),
            2
        )
    );
}

#[test]
fn debug() {
    let s = server();
    // output.pm::display: --debug forces long output, debug lines after
    // the status line.
    let r = count(&s, &["--debug"]);
    assert_eq!(r.code, 0);
    // The state directory line (each test run has its own) is skipped.
    let lines: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| !l.starts_with("state directory: "))
        .collect();
    assert_eq!(lines[0], BASE.trim_end_matches('\n'));
    // The mode's long lines (the events counted) come first.
    assert_eq!(lines[1..4].join("\n"), COUNT_LONG.trim_end_matches('\n'));
    assert_eq!(
        lines[4],
        "credentials: access key AKIDEXAMPLE from command line"
    );
    assert_eq!(
        lines[5],
        format!("LookupEvents: POST {} (attempt 1)", s.url("/"))
    );
    assert_eq!(lines.last(), Some(&"LookupEvents: 3 events in the window"));
    assert!(r.stdout.contains("Signature=<redacted>"), "{}", r.stdout);
    assert!(!r.stdout.contains(SECRET));
    // output.pm::display: with --verbose too, the same.
    let both = count(&s, &["--debug", "--verbose"]);
    assert_eq!(
        both.stdout
            .lines()
            .filter(|l| !l.starts_with("state directory: "))
            .count(),
        lines.len()
    );
    // output.pm::display: --debug on checktrailstatus shows its long
    // lines and the request trace.
    let r = trail(&s, &["--debug"]);
    assert!(r.stdout.starts_with(TRAIL_OK), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("\nlogging started: never, stopped: never\n")
    );
    assert!(r.stdout.contains("GetTrailStatus: POST"));
}

#[test]
fn debug_stream() {
    let s = server();
    // output.pm::output_add (debug-stream): the debug lines are printed
    // and no secret with them.
    let r = count(&s, &["--debug-stream"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains(BASE), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("credentials: access key AKIDEXAMPLE from command line\n")
    );
    assert!(r.stdout.contains("LookupEvents: 3 events in the window\n"));
    assert!(!r.stdout.contains(SECRET));
}

#[test]
fn opt_exit() {
    let s = server();
    table(
        &s,
        count,
        &[
            // output.pm::option_exit: the label and code of an option error.
            (
                &["--opt-exit=critical", "--warning-count=abc"],
                "CRITICAL: Wrong warning-count threshold 'abc'. \n",
                2,
            ),
            // output.pm::check_options: lower-cased.
            (
                &["--opt-exit=WARNING", "--warning-count=abc"],
                "WARNING: Wrong warning-count threshold 'abc'. \n",
                1,
            ),
            // output.pm::option_exit: ok too.
            (
                &["--opt-exit=ok", "--warning-count=abc"],
                "OK: Wrong warning-count threshold 'abc'. \n",
                0,
            ),
            // output.pm::option_exit: default unknown.
            (
                &["--warning-count=abc"],
                "UNKNOWN: Wrong warning-count threshold 'abc'. \n",
                3,
            ),
            // output.pm::check_options: an invalid value.
            (
                &["--opt-exit=foo"],
                "UNKNOWN: Unknown value 'foo' for --opt-exit. \n",
                3,
            ),
            // output.pm::exit: a check's own result is not an error.
            (&["--opt-exit=critical"], BASE, 0),
            // output.pm::exit: nor is a threshold state.
            (
                &["--opt-exit=ok", "--critical-count=1"],
                "CRITICAL: Number of events: 3.00 | 'events_count'=3.00;;0:1;0;\n",
                2,
            ),
        ],
    );
    // script.pm::run: --help goes through option_exit.
    let r = count(&s, &["--opt-exit=critical", "--help"]);
    assert!(r.stdout.starts_with("\nPlugin Description:\n"));
    assert_eq!(r.code, 2);
}

// ---------------------------------------------------------------------
// --output-json
// ---------------------------------------------------------------------

fn json_of(r: &Run) -> Value {
    // output.pm::output_json: no trailing newline.
    assert!(!r.stdout.ends_with('\n'), "{:?}", r.stdout);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

#[test]
fn output_json() {
    let s = server();
    // output.pm::output_json: exact bytes (our key order is fixed).
    let r = count(&s, &["--output-json"]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            "{\"plugin\":{\"name\":\"cloud::aws::cloudtrail::plugin\",\"mode\":\"countevents\",\
             \"exit\":\"OK\",\"outputs\":[{\"exit\":\"OK\",\"msg\":\"OK: Number of events: 3.00\",\
             \"type\":1}],\"perfdatas\":[{\"label\":\"events_count\",\"value\":\"3.00\",\"unit\":\"\",\
             \"warning\":\"\",\"critical\":\"\",\"min\":0,\"max\":\"\",\"mode\":\"countevents\"}]}}",
            0
        )
    );
    // output.pm::create_json_document: field by field.
    let v = json_of(&r);
    let p = &v["plugin"];
    assert_eq!(p["name"], "cloud::aws::cloudtrail::plugin");
    assert_eq!(p["mode"], "countevents");
    assert_eq!(p["exit"], "OK");
    assert_eq!(
        p["outputs"],
        json!([{"type": 1, "msg": "OK: Number of events: 3.00", "exit": "OK"}])
    );
    let perf = &p["perfdatas"][0];
    assert_eq!(perf["label"], "events_count");
    assert_eq!(perf["value"], "3.00");
    assert_eq!(perf["unit"], "");
    assert_eq!(perf["warning"], "");
    assert_eq!(perf["critical"], "");
    assert_eq!(perf["min"], json!(0));
    assert_eq!(perf["max"], "");
    assert_eq!(perf["mode"], "countevents");
    assert_eq!(perf.as_object().unwrap().len(), 8);

    // output.pm::output_json: a WARNING with its (echoed) threshold.
    let r = count(&s, &["--output-json", "--warning-count=2"]);
    assert_eq!(r.code, 1);
    let v = json_of(&r);
    assert_eq!(v["plugin"]["exit"], "WARNING");
    assert_eq!(
        v["plugin"]["outputs"],
        json!([{"type": 1, "msg": "WARNING: Number of events: 3.00", "exit": "WARNING"}])
    );
    assert_eq!(v["plugin"]["perfdatas"][0]["warning"], "0:2");

    // output.pm::output_json: CRITICAL of checktrailstatus, long lines
    // with --verbose as type 2.
    let r = trail_off(&s, &["--output-json", "--verbose"]);
    assert_eq!(r.code, 2);
    let v = json_of(&r);
    assert_eq!(v["plugin"]["mode"], "checktrailstatus");
    assert_eq!(v["plugin"]["exit"], "CRITICAL");
    assert_eq!(
        v["plugin"]["outputs"],
        json!([
            {"type": 1, "msg": "CRITICAL: Trail is logging: 0", "exit": "CRITICAL"},
            {"type": 2, "msg": "logging started: never, stopped: never"},
            {"type": 2, "msg": "latest log delivery: never"},
        ])
    );
    assert_eq!(v["plugin"]["perfdatas"][0]["label"], "trail_is_logging");
    assert_eq!(v["plugin"]["perfdatas"][0]["value"], "0");

    // output.pm::output_json: no type 2 without --verbose.
    let v = json_of(&trail(&s, &["--output-json"]));
    assert_eq!(v["plugin"]["outputs"].as_array().unwrap().len(), 1);

    // output.pm::output_json: --debug lines are type 2.
    let v = json_of(&count(&s, &["--output-json", "--debug"]));
    let outs = v["plugin"]["outputs"].as_array().unwrap();
    assert_eq!(outs[0]["type"], 1);
    assert!(outs.len() > 3);
    assert!(
        outs[1..]
            .iter()
            .all(|o| o["type"] == 2 && o.get("exit").is_none())
    );
    assert_eq!(
        outs.last().unwrap()["msg"],
        "LookupEvents: 3 events in the window"
    );

    // output.pm::option_exit: exit is the raw lower-case --opt-exit, no
    // perfdata.
    let r = trail(&s, &["--output-json", "--trail-name="]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            "{\"plugin\":{\"name\":\"cloud::aws::cloudtrail::plugin\",\"mode\":\"checktrailstatus\",\
             \"exit\":\"unknown\",\"outputs\":[{\"exit\":\"UNKNOWN\",\"msg\":\"UNKNOWN: Need to \
             specify --trail-name option.\",\"type\":1}],\"perfdatas\":[]}}",
            3
        )
    );
    // output.pm::option_exit: with --opt-exit=warning.
    let r = count(
        &s,
        &["--output-json", "--opt-exit=WARNING", "--warning-count=x"],
    );
    assert_eq!(r.code, 1);
    let v = json_of(&r);
    assert_eq!(v["plugin"]["exit"], "warning");
    assert_eq!(
        v["plugin"]["outputs"],
        json!([{"type": 1, "msg": "WARNING: Wrong warning-count threshold 'x'.", "exit": "WARNING"}])
    );

    // output.pm::output_json: --change-short-output and
    // --change-output-adv do not apply.
    let r = count(
        &s,
        &[
            "--output-json",
            "--change-short-output=OK~Up",
            "--change-output-adv=%(exit_code) == 0,Replaced,critical",
        ],
    );
    assert_eq!(r.code, 0);
    assert_eq!(
        json_of(&r)["plugin"]["outputs"][0]["msg"],
        "OK: Number of events: 3.00"
    );

    // output.pm::output_json: the perfdata pipeline applies (change,
    // extend, range, filter-uom), and quotes are escaped.
    let r = count(
        &s,
        &[
            "--output-json",
            "--warning-count=5",
            "--range-perfdata=1",
            "--change-perfdata=events_count,a\"b/c,,ms,,10",
            "--extend-perfdata=c$,sum,math(current+1)",
            "--filter-uom=^$",
        ],
    );
    let v = json_of(&r);
    assert_eq!(
        v["plugin"]["perfdatas"],
        json!([
            {"label": "a\"b/c", "value": "3.00", "unit": "", "warning": "5", "critical": "",
             "min": 0, "max": 10, "mode": "countevents"},
            {"label": "a\"b/sum", "value": "4", "unit": "", "warning": "5", "critical": "",
             "min": 0, "max": 10, "mode": "countevents"},
        ])
    );

    // output.pm::display: XML wins over JSON.
    let r = count(&s, &["--output-json", "--output-xml"]);
    assert!(r.stdout.starts_with("<?xml"), "{}", r.stdout);
    // output.pm::display: JSON wins over OpenMetrics.
    let r = count(&s, &["--output-json", "--output-openmetrics"]);
    assert!(r.stdout.starts_with("{\"plugin\""), "{}", r.stdout);
}

#[test]
fn json_with_openmetrics_has_the_status_perfdata() {
    let s = server();
    // output.pm::display: perfdata_add(nlabel => 'plugin.mode.status')
    // before any format is chosen.
    let r = count(&s, &["--output-json", "--output-openmetrics"]);
    let v = json_of(&r);
    let labels: Vec<&str> = v["plugin"]["perfdatas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["events_count", "plugin.mode.status"]);
    assert_eq!(
        v["plugin"]["perfdatas"][1]["value"]
            .to_string()
            .trim_matches('"'),
        "0"
    );
    let r = count(&s, &["--output-xml", "--output-openmetrics"]);
    assert_eq!(r.stdout.matches("<perfdata>").count(), 2, "{}", r.stdout);
}

// ---------------------------------------------------------------------
// --output-xml
// ---------------------------------------------------------------------

/// The children elements of a node, by name.
fn elements<'a, 'i>(n: roxmltree::Node<'a, 'i>) -> Vec<roxmltree::Node<'a, 'i>> {
    n.children().filter(|c| c.is_element()).collect()
}

fn names(n: roxmltree::Node<'_, '_>) -> Vec<String> {
    elements(n)
        .iter()
        .map(|c| c.tag_name().name().to_owned())
        .collect()
}

fn child_text<'a>(n: roxmltree::Node<'a, '_>, name: &str) -> &'a str {
    let c = elements(n)
        .into_iter()
        .find(|c| c.tag_name().name() == name)
        .unwrap_or_else(|| panic!("no <{name}>"));
    c.text().unwrap_or("")
}

#[test]
fn output_xml() {
    let s = server();
    // output.pm::output_xml: exact bytes (toString(1) layout, our fixed
    // perfdata key order).
    let r = count(&s, &["--output-xml"]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<plugin>\n  \
             <name>cloud::aws::cloudtrail::plugin</name>\n  <mode>countevents</mode>\n  \
             <exit>OK</exit>\n  <outputs>\n    <output>\n      <type>1</type>\n      \
             <exit>OK</exit>\n      <msg>OK: Number of events: 3.00</msg>\n    </output>\n  \
             </outputs>\n  <perfdatas>\n    <perfdata>\n      <label>events_count</label>\n      \
             <value>3.00</value>\n      <unit/>\n      <warning/>\n      <critical/>\n      \
             <min>0</min>\n      <max/>\n      <mode>countevents</mode>\n    </perfdata>\n  \
             </perfdatas>\n</plugin>\n",
            0
        )
    );
    // output.pm::create_xml_document: parsed back, field by field.
    let doc = roxmltree::Document::parse(&r.stdout).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "plugin");
    assert_eq!(
        names(root),
        ["name", "mode", "exit", "outputs", "perfdatas"]
    );
    assert_eq!(child_text(root, "name"), "cloud::aws::cloudtrail::plugin");
    assert_eq!(child_text(root, "mode"), "countevents");
    assert_eq!(child_text(root, "exit"), "OK");
    let outputs = elements(elements(root)[3]);
    assert_eq!(outputs.len(), 1);
    assert_eq!(names(outputs[0]), ["type", "exit", "msg"]);
    assert_eq!(child_text(outputs[0], "type"), "1");
    assert_eq!(child_text(outputs[0], "exit"), "OK");
    assert_eq!(child_text(outputs[0], "msg"), "OK: Number of events: 3.00");
    let perfs = elements(elements(root)[4]);
    assert_eq!(perfs.len(), 1);
    let mut fields = names(perfs[0]);
    fields.sort();
    assert_eq!(
        fields,
        [
            "critical", "label", "max", "min", "mode", "unit", "value", "warning"
        ]
    );
    for (k, v) in [
        ("label", "events_count"),
        ("value", "3.00"),
        ("unit", ""),
        ("warning", ""),
        ("critical", ""),
        ("min", "0"),
        ("max", ""),
        ("mode", "countevents"),
    ] {
        assert_eq!(child_text(perfs[0], k), v, "<{k}>");
    }

    // output.pm::output_xml: CRITICAL, long lines (type, msg) with
    // --verbose.
    let r = trail_off(&s, &["--output-xml", "--verbose"]);
    assert_eq!(r.code, 2);
    let doc = roxmltree::Document::parse(&r.stdout).unwrap();
    let root = doc.root_element();
    assert_eq!(child_text(root, "exit"), "CRITICAL");
    let outputs = elements(elements(root)[3]);
    assert_eq!(outputs.len(), 3);
    assert_eq!(
        child_text(outputs[0], "msg"),
        "CRITICAL: Trail is logging: 0"
    );
    assert_eq!(names(outputs[1]), ["type", "msg"]);
    assert_eq!(child_text(outputs[1], "type"), "2");
    assert_eq!(
        child_text(outputs[1], "msg"),
        "logging started: never, stopped: never"
    );
    assert_eq!(child_text(outputs[2], "msg"), "latest log delivery: never");

    // output.pm::option_exit: lower-case exit, empty <perfdatas/>.
    let r = trail(&s, &["--output-xml", "--trail-name="]);
    assert_eq!(r.code, 3);
    assert!(r.stdout.contains("  <perfdatas/>\n"), "{}", r.stdout);
    let doc = roxmltree::Document::parse(&r.stdout).unwrap();
    let root = doc.root_element();
    assert_eq!(child_text(root, "mode"), "checktrailstatus");
    assert_eq!(child_text(root, "exit"), "unknown");
    let outputs = elements(elements(root)[3]);
    assert_eq!(child_text(outputs[0], "exit"), "UNKNOWN");
    assert_eq!(
        child_text(outputs[0], "msg"),
        "UNKNOWN: Need to specify --trail-name option."
    );
    assert!(elements(elements(root)[4]).is_empty());

    // output.pm::output_xml: text is escaped (& < >), and parses back.
    let r = count(
        &s,
        &["--output-xml", "--change-perfdata=events_count,a<b&c>d"],
    );
    assert!(r.stdout.contains("<label>a&lt;b&amp;c&gt;d</label>"));
    let doc = roxmltree::Document::parse(&r.stdout).unwrap();
    let perfs = elements(elements(doc.root_element())[4]);
    assert_eq!(child_text(perfs[0], "label"), "a<b&c>d");

    // output.pm::output_xml: --output-ignore-label and
    // --output-ignore-perfdata.
    let r = count(
        &s,
        &[
            "--output-xml",
            "--output-ignore-label",
            "--output-ignore-perfdata",
        ],
    );
    let doc = roxmltree::Document::parse(&r.stdout).unwrap();
    let root = doc.root_element();
    assert_eq!(
        child_text(elements(elements(root)[3])[0], "msg"),
        "Number of events: 3.00"
    );
    assert!(elements(elements(root)[4]).is_empty());
}

// ---------------------------------------------------------------------
// --output-openmetrics
// ---------------------------------------------------------------------

#[derive(Debug)]
pub(crate) struct Sample {
    pub(crate) name: String,
    pub(crate) labels: Vec<(String, String)>,
    pub(crate) value: String,
    ts: f64,
}

impl Sample {
    pub(crate) fn label(&self, k: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }
}

/// A strict check of an OpenMetrics text exposition: `# TYPE` before a
/// family's samples, each family once and contiguous, valid metric and
/// label names, escaped label values, plain numbers, timestamps in
/// seconds with 3 decimals within `from..=to`, and `# EOF` last.
pub(crate) fn openmetrics(text: &str, from: f64, to: f64) -> Vec<Sample> {
    let name = r"[a-zA-Z_:][a-zA-Z0-9_:]*";
    let type_re = Regex::new(&format!(
        r"^# TYPE ({name}) (gauge|counter|stateset|info|histogram|gaugehistogram|summary|unknown)$"
    ))
    .unwrap();
    let sample_re = Regex::new(&format!(r"^({name})\{{(.*)\}} (\S+) (\S+)$")).unwrap();
    let label_re =
        Regex::new(r#"^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)"#).unwrap();
    let number_re = Regex::new(r"^-?[0-9]+(\.[0-9]+)?$").unwrap();
    let ts_re = Regex::new(r"^[0-9]+\.[0-9]{3}$").unwrap();

    assert!(text.ends_with("# EOF\n"), "no final # EOF: {text:?}");
    let lines: Vec<&str> = text.lines().collect();
    let (eof, body) = lines.split_last().unwrap();
    assert_eq!(*eof, "# EOF");
    let mut typed: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    let mut samples: Vec<Sample> = Vec::new();
    for line in body {
        assert!(!line.is_empty(), "empty line in {text:?}");
        if let Some(c) = type_re.captures(line) {
            let family = c[1].to_owned();
            assert!(!typed.contains(&family), "TYPE {family} twice: {text}");
            typed.push(family.clone());
            current = Some(family);
            continue;
        }
        assert!(!line.starts_with('#'), "unexpected comment {line:?}");
        let c = sample_re
            .captures(line)
            .unwrap_or_else(|| panic!("not a sample: {line:?}"));
        let metric = c[1].to_owned();
        assert_eq!(
            current.as_deref(),
            Some(metric.as_str()),
            "sample {metric} outside its family (TYPE first, samples together): {text}"
        );
        let mut rest = &c[2];
        let mut labels = Vec::new();
        while !rest.is_empty() {
            let l = label_re
                .captures(rest)
                .unwrap_or_else(|| panic!("bad label syntax at {rest:?} in {line:?}"));
            let raw = &l[2];
            let value = raw
                .replace("\\n", "\n")
                .replace("\\\"", "\"")
                .replace("\\\\", "\\");
            let lname = l[1].to_owned();
            assert!(
                !labels.iter().any(|(n, _): &(String, String)| *n == lname),
                "label {lname} twice in {line:?}"
            );
            labels.push((lname, value));
            let consumed = l.get(0).unwrap().end();
            rest = &rest[consumed..];
            assert!(
                l[3].is_empty() || !rest.is_empty(),
                "trailing comma in {line:?}"
            );
        }
        let value = c[3].to_owned();
        assert!(
            number_re.is_match(&value) || ["NaN", "+Inf", "-Inf"].contains(&value.as_str()),
            "value {value:?} is not a plain number in {line:?}"
        );
        let ts = &c[4];
        assert!(ts_re.is_match(ts), "timestamp {ts:?} in {line:?}");
        let ts: f64 = ts.parse().unwrap();
        assert!(
            ts >= from.floor() - 1.0 && ts <= to + 1.0,
            "timestamp {ts} not in {from}..{to}"
        );
        samples.push(Sample {
            name: metric,
            labels,
            value,
            ts,
        });
    }
    assert!(
        samples.windows(2).all(|w| w[0].ts == w[1].ts),
        "one timestamp for all: {text}"
    );
    samples
}

#[test]
fn the_openmetrics_check_is_strict() {
    let t = now();
    let ts = format!("{t:.3}");
    let good = format!("# TYPE a gauge\na{{x=\"1\",y=\"q\\\"\"}} 1.5 {ts}\n# EOF\n");
    assert_eq!(openmetrics(&good, t, t).len(), 1);
    let bad = [
        // no # EOF
        format!("# TYPE a gauge\na{{x=\"1\"}} 1 {ts}\n"),
        // something after # EOF
        format!("# TYPE a gauge\na{{x=\"1\"}} 1 {ts}\n# EOF\nb 1\n"),
        // a sample before its TYPE
        format!("a{{x=\"1\"}} 1 {ts}\n# TYPE a gauge\n# EOF\n"),
        // a family split in two
        format!(
            "# TYPE a gauge\na{{x=\"1\"}} 1 {ts}\n# TYPE b gauge\nb{{x=\"1\"}} 1 {ts}\n\
             a{{x=\"2\"}} 1 {ts}\n# EOF\n"
        ),
        // a TYPE twice
        format!("# TYPE a gauge\n# TYPE a gauge\na{{x=\"1\"}} 1 {ts}\n# EOF\n"),
        // upstream's dotted name
        format!("# TYPE plugin.mode.status gauge\nplugin.mode.status{{x=\"1\"}} 0 {ts}\n# EOF\n"),
        // an unquoted label value, a trailing comma, a raw quote
        format!("# TYPE a gauge\na{{x=1}} 1 {ts}\n# EOF\n"),
        format!("# TYPE a gauge\na{{x=\"1\",}} 1 {ts}\n# EOF\n"),
        format!("# TYPE a gauge\na{{x=\"1\"\"}} 1 {ts}\n# EOF\n"),
        // an exponent, a timestamp in milliseconds
        format!("# TYPE a gauge\na{{x=\"1\"}} 1e5 {ts}\n# EOF\n"),
        format!(
            "# TYPE a gauge\na{{x=\"1\"}} 1 {}\n# EOF\n",
            (t * 1000.0) as u64
        ),
        // a timestamp from another time
        "# TYPE a gauge\na{x=\"1\"} 1 1000.000\n# EOF\n".to_owned(),
        // an empty line, an unknown comment
        format!("# TYPE a gauge\n\na{{x=\"1\"}} 1 {ts}\n# EOF\n"),
        format!("# TYPE a gauge\n# note\na{{x=\"1\"}} 1 {ts}\n# EOF\n"),
    ];
    for text in bad {
        let caught = std::panic::catch_unwind(|| openmetrics(&text, t, t));
        assert!(caught.is_err(), "accepted: {text:?}");
    }
}

fn om(check: impl Fn() -> Run) -> (Vec<Sample>, Run) {
    let from = now();
    let r = check();
    let to = now();
    (openmetrics(&r.stdout, from, to), r)
}

fn plugin_labels(mode: &str) -> Vec<(String, String)> {
    vec![
        ("plugin".into(), "cloud::aws::cloudtrail::plugin".into()),
        ("mode".into(), mode.into()),
    ]
}

fn with(mut l: Vec<(String, String)>, more: &[(&str, &str)]) -> Vec<(String, String)> {
    l.extend(more.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    l
}

#[test]
fn output_openmetrics() {
    let s = server();
    // output.pm::output_openmetrics: the mode's perfdata then the status
    // metric (named plugin_mode_status here: dots are not valid).
    let (m, r) = om(|| count(&s, &["--output-openmetrics"]));
    assert_eq!(r.code, 0);
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].name, "events_count");
    assert_eq!(
        m[0].labels,
        with(plugin_labels("countevents"), &[("min", "0")])
    );
    assert_eq!(m[0].value, "3.00");
    assert_eq!(m[1].name, "plugin_mode_status");
    assert_eq!(m[1].labels, plugin_labels("countevents"));
    assert_eq!(m[1].value, "0");
    let ts = format!("{:.3}", m[0].ts);
    assert_eq!(
        r.stdout,
        format!(
            "# TYPE events_count gauge\n\
             events_count{{plugin=\"cloud::aws::cloudtrail::plugin\",mode=\"countevents\",min=\"0\"}} 3.00 {ts}\n\
             # TYPE plugin_mode_status gauge\n\
             plugin_mode_status{{plugin=\"cloud::aws::cloudtrail::plugin\",mode=\"countevents\"}} 0 {ts}\n\
             # EOF\n"
        )
    );

    // output.pm::output_openmetrics: WARNING, thresholds as labels, status 1.
    let (m, r) = om(|| count(&s, &["--output-openmetrics", "--warning-count=2"]));
    assert_eq!(r.code, 1);
    assert_eq!(
        m[0].labels,
        with(
            plugin_labels("countevents"),
            &[("warning", "0:2"), ("min", "0")]
        )
    );
    assert_eq!(m[1].value, "1");

    // output.pm::output_openmetrics: checktrailstatus CRITICAL, status 2.
    let (m, r) = om(|| trail_off(&s, &["--output-openmetrics"]));
    assert_eq!(r.code, 2);
    assert_eq!(
        (m[0].name.as_str(), m[0].value.as_str()),
        ("trail_is_logging", "0")
    );
    assert_eq!(m[0].label("mode"), Some("checktrailstatus"));
    assert_eq!(
        (m[1].name.as_str(), m[1].value.as_str()),
        ("plugin_mode_status", "2")
    );

    // output.pm::display: --output-ignore-perfdata does not apply.
    let (m, _) = om(|| count(&s, &["--output-openmetrics", "--output-ignore-perfdata"]));
    assert_eq!(m.len(), 2);

    // output.pm::output_openmetrics: unit, max, instance from
    // `instance#name`; extend and explode add their families.
    let (m, _) = om(|| {
        count(
            &s,
            &[
                "--output-openmetrics",
                "--change-perfdata=events_(count),eu#$1,,ms,,10",
                "--extend-perfdata=count,copy",
                "--explode-perfdata-max=^eu#count$,eu#count_max",
            ],
        )
    });
    let names: Vec<&str> = m.iter().map(|s| s.name.as_str()).collect();
    // The status metric joins before the rewrites, as upstream's display().
    assert_eq!(names, ["count", "plugin_mode_status", "copy", "count_max"]);
    assert_eq!(
        m[0].labels,
        with(
            plugin_labels("countevents"),
            &[
                ("unit", "ms"),
                ("min", "0"),
                ("max", "10"),
                ("instance", "eu")
            ]
        )
    );
    assert_eq!(m[1].value, "0");
    assert_eq!(m[2].label("instance"), Some("eu"));
    assert_eq!(
        m[3].labels,
        with(
            plugin_labels("countevents"),
            &[("unit", "ms"), ("instance", "eu")]
        )
    );
    assert_eq!(m[3].value, "10");

    // output.pm::output_openmetrics: names made valid; label values escaped.
    let (m, _) = om(|| {
        count(
            &s,
            &[
                "--output-openmetrics",
                "--change-perfdata=events_count,1.a-b c,,x\"y\\z",
            ],
        )
    });
    assert_eq!(m[0].name, "_1_a_b_c");
    assert_eq!(m[0].label("unit"), Some("x\"y\\z"));

    // output.pm::exit: --change-exit changes the code, not the status
    // metric.
    let (m, r) = om(|| count(&s, &["--output-openmetrics", "--change-exit=ok=critical"]));
    assert_eq!(r.code, 2);
    assert_eq!(m[1].value, "0");

    // output.pm::option_exit: an option error (upstream prints nothing:
    // we keep a valid exposition with the status metric).
    let (m, r) = om(|| trail(&s, &["--output-openmetrics", "--trail-name="]));
    assert_eq!(r.code, 3);
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].name.as_str(), m[0].value.as_str()),
        ("plugin_mode_status", "3")
    );
}

#[test]
fn openmetrics_status_metric_goes_through_the_pipeline() {
    let s = server();
    // output.pm::filter_perfdata: the status metric is a perfdata like any.
    let (m, _) = om(|| count(&s, &["--output-openmetrics", "--filter-perfdata=events"]));
    let names: Vec<&str> = m.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["events_count"]);
    // output.pm::display: added after the mode's perfdata, before the
    // extend additions.
    let (m, _) = om(|| {
        count(
            &s,
            &["--output-openmetrics", "--extend-perfdata=events_count,x"],
        )
    });
    let names: Vec<&str> = m.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["events_count", "plugin_mode_status", "x"]);
}

// ---------------------------------------------------------------------
// --output-file
// ---------------------------------------------------------------------

#[test]
fn output_file() {
    let s = server();
    let dir = TempDir::new("generic-output-file");
    let path = |name: &str| dir.0.join(name).to_string_lossy().into_owned();

    // output.pm::display: the text goes to the file, stdout is empty.
    let txt = path("out.txt");
    let r = count(&s, &[&format!("--output-file={txt}")]);
    assert_eq!((r.stdout.as_str(), r.code), ("", 0));
    assert_eq!(std::fs::read_to_string(&txt).unwrap(), BASE);

    // output.pm::display: the file is truncated, the exit code stays.
    std::fs::write(&txt, "x".repeat(4096)).unwrap();
    let r = count(&s, &[&format!("--output-file={txt}"), "--critical-count=1"]);
    assert_eq!((r.stdout.as_str(), r.code), ("", 2));
    assert_eq!(
        std::fs::read_to_string(&txt).unwrap(),
        "CRITICAL: Number of events: 3.00 | 'events_count'=3.00;;0:1;0;\n"
    );

    // output.pm::display: JSON into the file.
    let js = path("out.json");
    let r = count(&s, &["--output-json", "--output-file", &js]);
    assert_eq!((r.stdout.as_str(), r.code), ("", 0));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&js).unwrap()).unwrap();
    assert_eq!(v["plugin"]["perfdatas"][0]["value"], "3.00");

    // output.pm::display: XML and OpenMetrics into the file.
    let xml = path("out.xml");
    count(&s, &["--output-xml", &format!("--output-file={xml}")]);
    let text = std::fs::read_to_string(&xml).unwrap();
    roxmltree::Document::parse(&text).unwrap();
    let prom = path("out.prom");
    let from = now();
    count(
        &s,
        &["--output-openmetrics", &format!("--output-file={prom}")],
    );
    let m = openmetrics(&std::fs::read_to_string(&prom).unwrap(), from, now());
    assert_eq!(m.len(), 2);

    // output.pm::option_exit: errors ignore --output-file (stdout).
    let err = path("err.txt");
    let r = count(&s, &[&format!("--output-file={err}"), "--warning-count=x"]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        ("UNKNOWN: Wrong warning-count threshold 'x'. \n", 3)
    );
    assert!(!std::path::Path::new(&err).exists());

    // output.pm::display: a file that cannot be opened is an UNKNOWN on
    // stdout, with the perfdata.
    let missing = path("no/such/dir/out.txt");
    let r = count(&s, &[&format!("--output-file={missing}")]);
    assert_eq!(r.code, 3);
    let prefix = format!("UNKNOWN: cannot open file  '{missing}': No such file or directory");
    assert!(r.stdout.starts_with(&prefix), "{}", r.stdout);
    assert!(
        r.stdout.ends_with(" | 'events_count'=3.00;;;0;\n"),
        "{}",
        r.stdout
    );
    // output.pm::output_json: the OK message stays in the JSON list.
    let r = count(&s, &["--output-json", &format!("--output-file={missing}")]);
    assert_eq!(r.code, 3);
    let v = json_of(&r);
    assert_eq!(v["plugin"]["exit"], "UNKNOWN");
    let outs = v["plugin"]["outputs"].as_array().unwrap();
    assert!(outs[0]["msg"].as_str().unwrap().starts_with(&prefix));
    assert_eq!(outs[0]["exit"], "UNKNOWN");
    assert_eq!(
        outs[1],
        json!({"type": 1, "msg": "OK: Number of events: 3.00", "exit": "OK"})
    );
}

#[test]
fn output_file_failure_is_upstreams_line() {
    let s = server();
    // output.pm::display: `cannot open file  '<PATH>': <strerror>`.
    let r = count(&s, &["--output-file=/nonexistent-dir/x/out.txt"]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            "UNKNOWN: cannot open file  '/nonexistent-dir/x/out.txt': No such file or directory | 'events_count'=3.00;;;0;\n",
            3
        )
    );
}

// ---------------------------------------------------------------------
// --output-ignore-perfdata, --output-ignore-label
// ---------------------------------------------------------------------

#[test]
fn output_ignore_perfdata_and_label() {
    let s = server();
    table(
        &s,
        count,
        &[
            // output.pm::output_txt: no `|` part, the trailing space stays.
            (
                &["--output-ignore-perfdata"],
                "OK: Number of events: 3.00 \n",
                0,
            ),
            // output.pm::output_txt: the state is unchanged.
            (
                &["--output-ignore-perfdata", "--critical-count=1"],
                "CRITICAL: Number of events: 3.00 \n",
                2,
            ),
        ],
    );
    // output.pm::output_json: "perfdatas":[] and label-less messages.
    let v = json_of(&count(
        &s,
        &[
            "--output-json",
            "--output-ignore-perfdata",
            "--output-ignore-label",
        ],
    ));
    assert_eq!(v["plugin"]["perfdatas"], json!([]));
    assert_eq!(v["plugin"]["outputs"][0]["msg"], "Number of events: 3.00");
    assert_eq!(v["plugin"]["exit"], "OK");
    // output.pm::option_exit (JSON): label-less too.
    let v = json_of(&count(
        &s,
        &[
            "--output-json",
            "--output-ignore-label",
            "--warning-count=x",
        ],
    ));
    assert_eq!(
        v["plugin"]["outputs"][0]["msg"],
        "Wrong warning-count threshold 'x'."
    );
}

// ---------------------------------------------------------------------
// Filters: --filter-perfdata, --filter-perfdata-adv, --filter-uom
// ---------------------------------------------------------------------

#[test]
fn filter_perfdata() {
    let s = server();
    table(
        &s,
        count,
        &[
            // output.pm::filter_perfdata: unanchored match keeps it.
            (&["--filter-perfdata=count"], BASE, 0),
            // output.pm::output_txt: nothing kept, no `|` at all.
            (
                &["--filter-perfdata=zzz"],
                "OK: Number of events: 3.00 \n",
                0,
            ),
        ],
    );
    // output.pm::filter_perfdata: on checktrailstatus.
    table(
        &s,
        trail,
        &[(
            &["--filter-perfdata=^events"],
            "OK: Trail is logging: 1 \n",
            0,
        )],
    );
}

#[test]
fn filter_perfdata_adv() {
    let s = server();
    let none = "OK: Number of events: 3.00 \n";
    table(
        &s,
        count,
        &[
            // output.pm::filter_perfdata + misc test_eval: numeric, kept.
            (&["--filter-perfdata-adv=%(value) > 2"], BASE, 0),
            // output.pm::check_options: %{x} like %(x); dropped.
            (&["--filter-perfdata-adv=%{value} > 5"], none, 0),
        ],
    );
}

#[test]
fn filter_perfdata_adv_alert_triggered() {
    let s = server();
    table(
        &s,
        count,
        &[
            // output.pm::filter_perfdata + misc::alert_triggered: 3 is
            // outside warning 0:2: kept.
            (
                &[
                    "--change-perfdata=events_count,,,,,,2,5",
                    "--filter-perfdata-adv=alert_triggered()",
                ],
                "OK: Number of events: 3.00 | 'events_count'=3.00;2;5;0;\n",
                0,
            ),
            // misc::alert_triggered: inside 0:4 and 0:5: dropped.
            (
                &[
                    "--change-perfdata=events_count,,,,,,4,5",
                    "--filter-perfdata-adv=alert_triggered()",
                ],
                "OK: Number of events: 3.00 \n",
                0,
            ),
        ],
    );
}

#[test]
fn filter_uom() {
    let s = server();
    table(
        &s,
        count,
        &[
            // output.pm::output_txt: a matching unit stays.
            (
                &["--change-perfdata=events_count,,,ms", "--filter-uom=ms"],
                "OK: Number of events: 3.00 | 'events_count'=3.00ms;;;0;\n",
                0,
            ),
            // output.pm::output_txt: a unit that does not match is blanked.
            (
                &["--change-perfdata=events_count,,,B", "--filter-uom=ms"],
                "OK: Number of events: 3.00 | 'events_count'=3.00;;;0;\n",
                0,
            ),
        ],
    );
    // output.pm::output_json: the unit is blanked there too.
    let v = json_of(&count(
        &s,
        &[
            "--output-json",
            "--change-perfdata=events_count,,,B",
            "--filter-uom=ms",
        ],
    ));
    assert_eq!(v["plugin"]["perfdatas"][0]["unit"], "");
}

// ---------------------------------------------------------------------
// --explode-perfdata-max
// ---------------------------------------------------------------------

#[test]
fn explode_perfdata_max() {
    let s = server();
    let max10 = "--change-perfdata=events_count,,,ms,,10";
    table(
        &s,
        count,
        &[
            // output.pm::apply_perfdata_explode: without a value, every
            // metric with a max gets LABEL_max (value max, unit kept).
            (
                &[max10, "--explode-perfdata-max"],
                "OK: Number of events: 3.00 | 'events_count'=3.00ms;;;0;10 'events_count_max'=10ms;;;;\n",
                0,
            ),
            // output.pm::check_options: an empty value is the same.
            (
                &[max10, "--explode-perfdata-max="],
                "OK: Number of events: 3.00 | 'events_count'=3.00ms;;;0;10 'events_count_max'=10ms;;;;\n",
                0,
            ),
            // alternative/Getopt.pm: the value as the next argument.
            (
                &[max10, "--explode-perfdata-max", "events,total_max"],
                "OK: Number of events: 3.00 | 'events_count'=3.00ms;;;0;10 'total_max'=10ms;;;;\n",
                0,
            ),
        ],
    );
    // output.pm::check_options: checked before --plugin is even looked at.
    let r = run(&["--explode-perfdata-max=a"]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            "UNKNOWN: Wrong explode-perfdata-max option 'a' (syntax: match,value) \n",
            3
        )
    );
}

// ---------------------------------------------------------------------
// --change-perfdata / --extend-perfdata
// ---------------------------------------------------------------------

#[test]
fn change_and_extend_perfdata() {
    let s = server();
    table(
        &s,
        count,
        &[
            // output.pm::apply_perfdata_extend: rename.
            (
                &["--change-perfdata=events_count,foo"],
                "OK: Number of events: 3.00 | 'foo'=3.00;;;0;\n",
                0,
            ),
            // output.pm::apply_perfdata_extend: s{match}{newlabel}, first
            // occurrence only.
            (
                &["--change-perfdata=events,foo"],
                "OK: Number of events: 3.00 | 'foo_count'=3.00;;;0;\n",
                0,
            ),
        ],
    );
}

#[test]
fn invert_and_percent() {
    let s = server();
    table(
        &s,
        count,
        &[
            // output.pm::apply_pfdata_invert: max − value, thresholds
            // mirrored (2:5 → 5:8, :8 → 2:10).
            (
                &[
                    "--change-perfdata=events_count,,,,,10,2:5,:8",
                    "--change-perfdata=events_count,,invert()",
                ],
                "OK: Number of events: 3.00 | 'events_count'=7;5:8;2:10;0;10\n",
                0,
            ),
            // output.pm::apply_pfdata_invert: on the echoed thresholds.
            (
                &[
                    "--warning-count=7",
                    "--change-perfdata=events_count,,,,,10",
                    "--change-perfdata=events_count,,invert()",
                ],
                "OK: Number of events: 3.00 | 'events_count'=7;3:10;;0;10\n",
                0,
            ),
        ],
    );
}

#[test]
fn math() {
    let s = server();
    let m = |e: &str| format!("--change-perfdata=events_count,,math({e})");
    let cases: Vec<(Vec<String>, &str, i32)> = vec![
        // output.pm::apply_pfdata_math: current + 10, a Perl number.
        (
            vec![m("current + 10")],
            "OK: Number of events: 3.00 | 'events_count'=13;;;0;\n",
            0,
        ),
        // output.pm::apply_pfdata_math: %.15g.
        (
            vec![m("current * 2 / 3")],
            "OK: Number of events: 3.00 | 'events_count'=2;;;0;\n",
            0,
        ),
    ];
    for (extra, out, code) in &cases {
        let args: Vec<&str> = extra.iter().map(String::as_str).collect();
        let r = count(&s, &args);
        assert_eq!((r.stdout.as_str(), r.code), (*out, *code), "{extra:?}");
    }
}

#[test]
fn math_division_by_zero_keeps_the_value() {
    let s = server();
    table(
        &s,
        count,
        &[
            // output.pm::apply_pfdata_math: eval error → value unchanged.
            (
                &["--change-perfdata=events_count,,math(current/0)"],
                BASE,
                0,
            ),
        ],
    );
}

#[test]
fn scale() {
    let s = server();
    table(
        &s,
        count,
        &[
            // misc::scale_bytesbit (auto): a lower-case prefix, base 1024.
            (
                &[
                    "--change-perfdata=events_count,,math(current*123456789),kB",
                    "--change-perfdata=events_count,,scale(auto)",
                ],
                "OK: Number of events: 3.00 | 'events_count'=353.21gB;;;0;\n",
                0,
            ),
            // output.pm::apply_pfdata_scale: a unit scale() does not know
            // is left alone.
            (
                &[
                    "--change-perfdata=events_count,,,ms",
                    "--change-perfdata=events_count,,scale(MB)",
                ],
                "OK: Number of events: 3.00 | 'events_count'=3.00ms;;;0;\n",
                0,
            ),
        ],
    );
}

#[test]
fn scale_from_unprefixed_units() {
    let s = server();
    // 3 events × 123456789 = 370370367, the spec's value.
    let big = "--change-perfdata=events_count,,math(current*123456789),B,,500000000";
    table(
        &s,
        count,
        &[
            // misc::scale_bytesbit (auto): 370370367B → 353.21mB, max
            // and thresholds scaled, thresholds not rounded.
            (
                &[
                    "--change-perfdata=events_count,,math(current*123456789),B,,500000000,1000000:2000000,10000000",
                    "--change-perfdata=events_count,,scale(auto)",
                ],
                "OK: Number of events: 3.00 | 'events_count'=353.21mB;0.95367431640625:1.9073486328125;0:9.5367431640625;0;476.84\n",
                0,
            ),
            // misc::scale_bytesbit: fixed target MB.
            (
                &[big, "--change-perfdata=events_count,,scale(MB)"],
                "OK: Number of events: 3.00 | 'events_count'=353.21MB;;;0;476.84\n",
                0,
            ),
        ],
    );
}

// ---------------------------------------------------------------------
// --extend-perfdata-group
// ---------------------------------------------------------------------

#[test]
fn extend_perfdata_group() {
    let s = server();
    table(
        &s,
        count,
        &[
            // output.pm::apply_perfdata_extend (group, no match): sum, unit,
            // min, max and % thresholds.
            (
                &["--extend-perfdata-group=,total,sum(events),ms,0,100,80%,90%"],
                "OK: Number of events: 3.00 | 'events_count'=3.00;;;0; 'total'=3ms;80;90;0;100\n",
                0,
            ),
            // output.pm::apply_pfdata_average: sprintf('%.2f').
            (
                &["--extend-perfdata-group=,total,average(events)"],
                "OK: Number of events: 3.00 | 'events_count'=3.00;;;0; 'total'=3.00;;;;\n",
                0,
            ),
        ],
    );
}

// ---------------------------------------------------------------------
// --change-short-output, --change-long-output, --change-output-adv
// ---------------------------------------------------------------------

#[test]
fn change_short_output() {
    let s = server();
    let perf = "| 'events_count'=3.00;;;0;\n";
    let line = |short: &str| format!("{short}{perf}");
    let cases: Vec<(Vec<&str>, String, i32)> = vec![
        // output.pm::output_txt_short: g and i.
        (
            vec!["--change-short-output=OK~Up~gi"],
            line("Up: Number of events: 3.00 "),
            0,
        ),
        // output.pm::output_txt_short: rules in order, each on the result.
        (
            vec![
                "--change-short-output=ok~Up~gi",
                "--change-short-output=Up~Down",
            ],
            line("Down: Number of events: 3.00 "),
            0,
        ),
    ];
    for (extra, out, code) in &cases {
        let r = count(&s, extra);
        assert_eq!(
            (r.stdout.as_str(), r.code),
            (out.as_str(), *code),
            "{extra:?}"
        );
    }
}

#[test]
fn change_long_output() {
    let s = server();
    table(
        &s,
        trail,
        &[
            // output.pm::change_long_output: with --verbose.
            (
                &["--verbose", "--change-long-output=never~NEVER~g"],
                "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\nlogging started: NEVER, stopped: NEVER\nlatest log delivery: NEVER\n",
                0,
            ),
            // output.pm::change_long_output: the lines are joined, so
            // without g only the first match in the whole text.
            (
                &["--verbose", "--change-long-output=never~NEVER"],
                "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\nlogging started: NEVER, stopped: never\nlatest log delivery: never\n",
                0,
            ),
        ],
    );
    // output.pm::display: applied to JSON too.
    let v = json_of(&trail(
        &s,
        &[
            "--verbose",
            "--output-json",
            "--change-long-output=logging~LOGGING~g",
        ],
    ));
    assert_eq!(
        v["plugin"]["outputs"][1]["msg"],
        "LOGGING started: never, stopped: never"
    );
    // output.pm::display: and to --debug lines.
    let r = count(&s, &["--debug", "--change-long-output=^~> ~mg"]);
    assert!(r.stdout.starts_with(BASE), "{}", r.stdout);
    assert!(
        r.stdout.lines().skip(1).all(|l| l.starts_with("> ")),
        "{}",
        r.stdout
    );
    // output.pm::option_exit: not on errors (the usage stays).
    let r = count(
        &s,
        &["--verbose", "--change-long-output=Usage~USAGE", "--nosuch"],
    );
    assert!(
        r.stdout
            .starts_with("UNKNOWN: Unknown option: --nosuch \nUsage: check_cloudtrail"),
        "{}",
        r.stdout
    );
    // Deviation (regex-lite): an invalid pattern is an UNKNOWN.
    let r = trail(&s, &["--verbose", "--change-long-output=(~x"]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            "UNKNOWN: --change-long-output '(~x': '(' is not a supported regular expression: found open group without closing ')' \n",
            3
        )
    );
}

#[test]
fn change_output_adv() {
    let s = server();
    table(
        &s,
        count,
        &[
            // output.pm::output_txt_short: the text replaces the whole
            // short output (no label, no space), the exit is set.
            (
                &["--change-output-adv=%(short_output) =~ /events/,Replaced,critical"],
                "Replaced| 'events_count'=3.00;;;0;\n",
                2,
            ),
            // output.pm::output_txt_short: exit only.
            (
                &["--change-output-adv=%{exit_code} == 0,,warning"],
                "OK: Number of events: 3.00 | 'events_count'=3.00;;;0;\n",
                1,
            ),
        ],
    );
    // output.pm::output_json: not applied, no exit override.
    let r = count(
        &s,
        &[
            "--output-json",
            "--change-output-adv=%(exit_code) == 0,Replaced,critical",
        ],
    );
    assert_eq!(r.code, 0);
    assert_eq!(
        json_of(&r)["plugin"]["outputs"][0]["msg"],
        "OK: Number of events: 3.00"
    );
}

// ---------------------------------------------------------------------
// --change-exit
// ---------------------------------------------------------------------

#[test]
fn change_exit() {
    let s = server();
    table(
        &s,
        count,
        &[
            // output.pm::exit: only the code changes, the label stays.
            (&["--change-exit=ok=critical"], BASE, 2),
            // output.pm::check_options: case-insensitive; one lookup only.
            (
                &["--change-exit=OK=Warning", "--change-exit=warning=critical"],
                BASE,
                1,
            ),
            // output.pm::exit: after --opt-exit.
            (
                &[
                    "--opt-exit=critical",
                    "--change-exit=critical=warning",
                    "--warning-count=abc",
                ],
                "CRITICAL: Wrong warning-count threshold 'abc'. \n",
                1,
            ),
            // output.pm::exit: --version goes through option_exit.
            (
                &["--change-exit=unknown=ok", "--version"],
                "Mode Version: 1.0 \n",
                0,
            ),
        ],
    );
    // output.pm::exit: --help and lists exit through option_exit.
    let r = count(&s, &["--change-exit=unknown=warning", "--help"]);
    assert!(r.stdout.starts_with("\nPlugin Description:\n"));
    assert_eq!(r.code, 1);
    let r = run(&[PLUGIN, "--change-exit=unknown=critical", "--list-mode"]);
    assert!(r.stdout.ends_with("   trailsecurity\n"));
    assert_eq!(r.code, 2);
    // output.pm::exit: JSON keeps its exit string.
    let r = trail_off(&s, &["--output-json", "--change-exit=critical=ok"]);
    assert_eq!(r.code, 0);
    assert_eq!(json_of(&r)["plugin"]["exit"], "CRITICAL");
    // output.pm::exit: checktrailstatus CRITICAL mapped.
    table(
        &s,
        trail_off,
        &[(
            &["--change-exit=critical=warning"],
            "CRITICAL: Trail is logging: 0 | 'trail_is_logging'=0;;;0;\n",
            1,
        )],
    );
}

// ---------------------------------------------------------------------
// --range-perfdata
// ---------------------------------------------------------------------

#[test]
fn range_perfdata() {
    let s = server();
    let t = ["--warning-count=5", "--critical-count=@0:8"];
    let with = |more: &'static str| -> Vec<&'static str> {
        let mut v = vec![t[0], t[1]];
        v.push(more);
        v
    };
    let cases: Vec<(Vec<&str>, &str, i32)> = vec![
        // output.pm::range_perfdata: 0, as they are.
        (
            with("--range-perfdata=0"),
            "CRITICAL: Number of events: 3.00 | 'events_count'=3.00;0:5;@0:8;0;\n",
            2,
        ),
        // output.pm::range_perfdata: 1 drops a zero start, @ kept.
        (
            with("--range-perfdata=1"),
            "CRITICAL: Number of events: 3.00 | 'events_count'=3.00;5;@8;0;\n",
            2,
        ),
    ];
    for (extra, out, code) in &cases {
        let r = count(&s, extra);
        assert_eq!((r.stdout.as_str(), r.code), (*out, *code), "{extra:?}");
    }
    // output.pm::output_json: range applied to the JSON fields.
    let v = json_of(&count(
        &s,
        &["--output-json", "--warning-count=5", "--range-perfdata=1"],
    ));
    assert_eq!(v["plugin"]["perfdatas"][0]["warning"], "5");
}

// ---------------------------------------------------------------------
// --float-precision, --use-new-perfdata, --source-encoding,
// --ignore-warn-msg, --show-password
// ---------------------------------------------------------------------

#[test]
fn float_precision() {
    let s = server();
    table(
        &s,
        count,
        &[
            // perfdata.pm::threshold_check: default 8 decimals, 3 > 2.96.
            (
                &["--warning-count=2.96"],
                "WARNING: Number of events: 3.00 | 'events_count'=3.00;0:2.96;;0;\n",
                1,
            ),
            // perfdata.pm::threshold_validate: 2.96 → 3.0, so 3 is inside.
            (
                &["--warning-count=2.96", "--float-precision=1"],
                "OK: Number of events: 3.00 | 'events_count'=3.00;0:2.96;;0;\n",
                0,
            ),
            (
                &["--warning-count=2.96", "--float-precision=0"],
                "OK: Number of events: 3.00 | 'events_count'=3.00;0:2.96;;0;\n",
                0,
            ),
            // perfdata.pm::threshold_validate: 2.94 → 2.9 still below 3.
            (
                &["--critical-count=2.94", "--float-precision=1"],
                "CRITICAL: Number of events: 3.00 | 'events_count'=3.00;;0:2.94;0;\n",
                2,
            ),
            // Deviation: a value that is not a number of decimals is an
            // UNKNOWN (upstream pastes it into a sprintf format).
            (
                &["--float-precision=abc"],
                "UNKNOWN: --float-precision must be a number of decimals from 0 to 20, got 'abc'. \n",
                3,
            ),
        ],
    );
}

#[test]
fn compatibility_options_change_nothing() {
    let s = server();
    table(
        &s,
        count,
        &[
            // output.pm::perfdata_add: no nlabel/instances in these modes.
            (&["--use-new-perfdata"], BASE, 0),
            // output.pm::decode: never called by these modes.
            (&["--source-encoding=latin1"], BASE, 0),
            (&["--source-encoding="], BASE, 0),
            // script.pm::run: only silences Perl warnings.
            (&["--ignore-warn-msg"], BASE, 0),
            // output.pm::output_add: no effect (upstream never masks; we
            // always do).
            (&["--show-password"], BASE, 0),
        ],
    );
    table(&s, trail, &[(&["--use-new-perfdata"], TRAIL_OK, 0)]);
    // output.pm::output_add: with --debug, secrets stay hidden either way.
    let r = count(&s, &["--show-password", "--debug"]);
    assert!(r.stdout.starts_with(BASE));
    assert!(!r.stdout.contains(SECRET), "{}", r.stdout);
    // script.pm::run: --ignore-warn-msg does not silence option errors.
    let r = count(&s, &["--ignore-warn-msg", "--nosuch"]);
    assert!(r.stdout.starts_with("UNKNOWN: Unknown option: --nosuch \n"));
    assert_eq!(r.code, 3);
}

// ---------------------------------------------------------------------
// --global-timeout
// ---------------------------------------------------------------------

#[test]
fn global_timeout() {
    let s = server();
    let slow = |extra: &[&str]| check_at(&s, "/slow/", &["--mode=countevents"], extra);
    // script.pm::run (alarm): the shorter of --global-timeout and
    // --timeout wins, the message names it.
    let started = Instant::now();
    let r = slow(&["--global-timeout=1", "--timeout=4"]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            "UNKNOWN: LookupEvents failed: timed out, the check's --global-timeout of 1s ran out \n",
            3
        )
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let r = slow(&["--global-timeout=4", "--timeout=1"]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            "UNKNOWN: LookupEvents failed: timed out, the check's --timeout of 1s ran out \n",
            3
        )
    );
    // script.pm::run: the first run of digits.
    let r = slow(&["--global-timeout=1s", "--timeout=4"]);
    assert!(r.stdout.contains("--global-timeout of 1s"), "{}", r.stdout);
    // script.pm::run (SIGALRM → option_exit): --opt-exit and --change-exit.
    let r = slow(&[
        "--global-timeout=1",
        "--opt-exit=critical",
        "--change-exit=critical=warning",
    ]);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            "CRITICAL: LookupEvents failed: timed out, the check's --global-timeout of 1s ran out \n",
            1
        )
    );
    // output.pm::option_exit: in JSON.
    let r = slow(&["--global-timeout=1", "--output-json"]);
    let v = json_of(&r);
    assert_eq!(v["plugin"]["exit"], "unknown");
    assert_eq!(
        v["plugin"]["outputs"][0]["msg"],
        "UNKNOWN: LookupEvents failed: timed out, the check's --global-timeout of 1s ran out"
    );
    // A fast answer is not affected.
    table(&s, count, &[(&["--global-timeout=30"], BASE, 0)]);
    table(
        &s,
        count,
        &[
            // Deviation: no digits is an UNKNOWN (upstream: no alarm).
            (
                &["--global-timeout=abc"],
                "UNKNOWN: --global-timeout must be a number of seconds from 1 to 86400, got 'abc'. \n",
                3,
            ),
            (
                &["--global-timeout=0"],
                "UNKNOWN: --global-timeout must be a number of seconds from 1 to 86400, got '0'. \n",
                3,
            ),
        ],
    );
}

// ---------------------------------------------------------------------
// --convert-args, --pass-manager, --environment-map-option
// ---------------------------------------------------------------------

#[test]
fn convert_args() {
    let s = server();
    // script.pm::convert_args: s/SEARCH/REPLACE/g on mode options, Perl
    // escapes in the replacement.
    let r = check_at(
        &s,
        "/",
        &["--mode=checktrailstatus", "--trail-name=my##trail"],
        &["--convert-args=##,\\x33"],
    );
    assert_eq!((r.stdout.as_str(), r.code), (TRAIL_OK, 0));
    assert_eq!(s.requests().last().unwrap().json()["Name"], "my3trail");
    // script.pm::convert_args: every occurrence, a regex.
    let r = check_at(
        &s,
        "/",
        &["--mode=checktrailstatus", "--trail-name=a~b~~c"],
        &["--convert-args=[~]+,_"],
    );
    assert_eq!(r.code, 0);
    assert_eq!(s.requests().last().unwrap().json()["Name"], "a_b_c");
    // script.pm::convert_args: $1 in the replacement.
    let r = check_at(
        &s,
        "/",
        &["--mode=checktrailstatus", "--trail-name=trail-(x)"],
        &["--convert-args=\\((\\w)\\),$1$1"],
    );
    assert_eq!(r.code, 0);
    assert_eq!(s.requests().last().unwrap().json()["Name"], "trail-xx");
    table(
        &s,
        count,
        &[
            // script.pm::convert_args: mode options are converted.
            (
                &["--warning-count=#", "--convert-args=#,2"],
                "WARNING: Number of events: 3.00 | 'events_count'=3.00;0:2;;0;\n",
                1,
            ),
            // script.pm::convert_args: output options are not (consumed
            // before).
            (
                &["--change-perfdata=events_count,#", "--convert-args=#,x"],
                "OK: Number of events: 3.00 | '#'=3.00;;;0;\n",
                0,
            ),
            // script.pm::convert_args: script_custom options are (paws →
            // pawz).
            (
                &["--convert-args=s$,z"],
                "UNKNOWN: mode 'pawz' doesn't exist (use --list-custommode option to show available modes). \n",
                3,
            ),
            // script.pm::convert_args: no comma.
            (
                &["--convert-args=nocomma"],
                "UNKNOWN: --convert-args 'nocomma' is not SEARCH,REPLACE \n",
                3,
            ),
            // Deviation (regex-lite): an invalid pattern.
            (
                &["--convert-args=(,x"],
                "UNKNOWN: --convert-args '(,x': '(' is not a supported regular expression: found open group without closing ')' \n",
                3,
            ),
        ],
    );
}

#[test]
fn pass_manager_environment() {
    let s = server();
    let endpoint = format!("--endpoint-url={}", s.url("/"));
    let base = [
        PLUGIN,
        "--region=eu-west-1",
        "--mode=countevents",
        endpoint.as_str(),
    ];
    let with = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        run_env(&args, env)
    };
    // passwordmgr/environment.pm::manage_options: the keys come from
    // variables, the secret never shows.
    let r = with(
        &[
            "--pass-manager=environment",
            "--environment-map-option=aws-access-key=MY_AK",
            "--environment-map-option=aws-secret-key=MY_SK",
            "--debug",
        ],
        &[("MY_AK", "AKIDFROMENV"), ("MY_SK", SECRET)],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.starts_with(BASE));
    assert!(!r.stdout.contains(SECRET));
    let req = s.requests().pop().unwrap();
    assert_eq!(crate::util::signing_key_id(&req), "AKIDFROMENV");
    // passwordmgr/environment.pm: an unset variable gives '' (not given).
    let r = with(
        &[
            "--aws-access-key=AKIDEXAMPLE",
            "--pass-manager=environment",
            "--environment-map-option=aws-secret-key=MY_SK",
        ],
        &[],
    );
    assert_eq!(
        (r.stdout.as_str(), r.code),
        (
            "UNKNOWN: cannot get AWS credentials: --aws-access-key is set but --aws-secret-key is not \n",
            3
        )
    );
    // passwordmgr/environment.pm: a mode option, `-` in the name mapped.
    let r = run_env(
        &[
            PLUGIN,
            "--region=eu-west-1",
            "--mode=checktrailstatus",
            &endpoint,
            "--aws-access-key=AKIDEXAMPLE",
            &format!("--aws-secret-key={SECRET}"),
            "--pass-manager=environment",
            "--environment-map-option=trail-name=TN",
        ],
        &[("TN", "mytrail")],
    );
    assert_eq!((r.stdout.as_str(), r.code), (TRAIL_OK, 0));
    assert_eq!(s.requests().last().unwrap().json()["Name"], "mytrail");
    // passwordmgr/environment.pm: an unset variable replaces the command
    // line's value with '' (not given): no threshold.
    let r = with(
        &[
            "--aws-access-key=AKIDEXAMPLE",
            &format!("--aws-secret-key={SECRET}"),
            "--pass-manager=environment",
            "--environment-map-option=warning-count=NOPE",
            "--warning-count=x",
        ],
        &[],
    );
    assert_eq!((r.stdout.as_str(), r.code), (BASE, 0));
    let cases: &[(&[&str], &str)] = &[
        // script_custom.pm: --environment-map-option exists only with
        // --pass-manager=environment.
        (
            &["--environment-map-option=warning-count=X"],
            "UNKNOWN: --environment-map-option needs --pass-manager=environment \n",
        ),
        // environment.pm::manage_options: `OPT=VAR` required (Deviation:
        // an UNKNOWN; upstream skips it).
        (
            &[
                "--pass-manager=environment",
                "--environment-map-option=warning-count",
            ],
            "UNKNOWN: --environment-map-option 'warning-count' is not OPTION=VARIABLE \n",
        ),
        (
            &[
                "--pass-manager=environment",
                "--environment-map-option=nosuch=X",
            ],
            "UNKNOWN: --environment-map-option 'nosuch=X': no option --nosuch \n",
        ),
        // Deviation: only the environment password manager.
        (
            &["--pass-manager=file"],
            "UNKNOWN: option --pass-manager=file is not supported (only 'environment') \n",
        ),
        (
            &["--pass-manager=hashicorpvault"],
            "UNKNOWN: option --pass-manager=hashicorpvault is not supported (only 'environment') \n",
        ),
    ];
    for (extra, out) in cases {
        let r = with(extra, &[]);
        assert_eq!((r.stdout.as_str(), r.code), (*out, 3), "{extra:?}");
    }
}

// ---------------------------------------------------------------------
// Lists, versions, modes
// ---------------------------------------------------------------------

#[test]
fn lists_and_versions() {
    let cases: &[(&[&str], &str, i32)] = &[
        // script.pm::display_list_plugin: via option_exit, no short message.
        (
            &["--list-plugin"],
            "\n-----------------\nPLUGIN: cloud::aws::cloudtrail::plugin\nDESCRIPTION:\n    Check Amazon CloudTrail.\n\n",
            3,
        ),
        (
            &[PLUGIN, "--list-plugin"],
            "\n-----------------\nPLUGIN: cloud::aws::cloudtrail::plugin\nDESCRIPTION:\n    Check Amazon CloudTrail.\n\n",
            3,
        ),
        // script.pm::display_list_plugin: --opt-exit applies.
        (
            &["--list-plugin", "--opt-exit=ok"],
            "\n-----------------\nPLUGIN: cloud::aws::cloudtrail::plugin\nDESCRIPTION:\n    Check Amazon CloudTrail.\n\n",
            0,
        ),
        // script_custom.pm::init: with a mode, the mode's version.
        (
            &[PLUGIN, "--mode=countevents", "--version"],
            "Mode Version: 1.0 \n",
            3,
        ),
        (
            &[PLUGIN, "--mode=checktrailstatus", "--version"],
            "Mode Version: 1.0 \n",
            3,
        ),
    ];
    for (args, out, code) in cases {
        let r = run(args);
        assert_eq!((r.stdout.as_str(), r.code), (*out, *code), "{args:?}");
    }
    // script_custom.pm::init: the plugin's version, without a mode
    // (ours: this program's version).
    let plugin_version = format!("Plugin Version: {} \n", env!("CARGO_PKG_VERSION"));
    for args in [&[PLUGIN, "--version"][..], &["--version"][..]] {
        let r = run(args);
        assert_eq!(
            (r.stdout.as_str(), r.code),
            (plugin_version.as_str(), 3),
            "{args:?}"
        );
    }
    // script_custom.pm::init: --list-mode, help then the modes.
    let r = run(&[PLUGIN, "--list-mode"]);
    assert!(r.stdout.starts_with("\nPlugin Description:\n"));
    assert!(
        r.stdout.ends_with(
            "\nModes Available:\n   bucketposture\n   checktrailstatus\n   countevents\n   listtrails\n   logintegrity\n   securityevents\n   traildelivery\n   trailsecurity\n"
        ),
        "{}",
        r.stdout
    );
    assert_eq!(r.code, 3);
    // script_custom.pm::init: --list-custommode.
    let r = run(&[PLUGIN, "--list-custommode"]);
    assert!(r.stdout.starts_with("\nPlugin Description:\n"));
    assert!(
        r.stdout
            .ends_with("\nCustom Modes Available:\n   api\n   awscli\n   paws\n"),
        "{}",
        r.stdout
    );
    assert_eq!(r.code, 3);
    // output.pm::option_exit: --list-custommode with --change-exit.
    let r = run(&[PLUGIN, "--list-custommode", "--change-exit=unknown=ok"]);
    assert_eq!(r.code, 0);
}

#[test]
fn mode_version() {
    let s = server();
    table(
        &s,
        count,
        &[
            // script_simple.pm::init (as documented in script_custom's POD):
            // a newer version wanted is an UNKNOWN.
            (
                &["--mode-version=2.0"],
                "UNKNOWN: Not good version for plugin mode. Excepted at least: 2.0. Get: 1.0 \n",
                3,
            ),
            (
                &["--mode-version=1.1"],
                "UNKNOWN: Not good version for plugin mode. Excepted at least: 1.1. Get: 1.0 \n",
                3,
            ),
            // script_simple.pm::init: the same or older runs the check.
            (&["--mode-version=1.0"], BASE, 0),
            (&["--mode-version=0.9"], BASE, 0),
            // output.pm::option_exit: --opt-exit applies.
            (
                &["--mode-version=3", "--opt-exit=critical"],
                "CRITICAL: Not good version for plugin mode. Excepted at least: 3. Get: 1.0 \n",
                2,
            ),
        ],
    );
}

#[test]
fn dyn_mode() {
    let s = server();
    let endpoint = format!("--endpoint-url={}", s.url("/"));
    let secret = format!("--aws-secret-key={SECRET}");
    let base = [
        PLUGIN,
        "--region=eu-west-1",
        "--aws-access-key=AKIDEXAMPLE",
        secret.as_str(),
        endpoint.as_str(),
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        run(&args)
    };
    let cases: &[Case<'_>] = &[
        // script_custom.pm::init (mymodule_load): a module name.
        (
            &["--dyn-mode=cloud::aws::cloudtrail::mode::countevents"],
            BASE,
            0,
        ),
        // misc::mymodule_load: a path.
        (
            &[
                "--dyn-mode=cloud/aws/cloudtrail/mode/checktrailstatus.pm",
                "--trail-name=t",
            ],
            TRAIL_OK,
            0,
        ),
        // script_custom.pm::init: --mode wins over --dyn-mode.
        (
            &[
                "--dyn-mode=cloud::aws::cloudtrail::mode::checktrailstatus",
                "--mode=countevents",
            ],
            BASE,
            0,
        ),
        // script_custom.pm::init: a module that cannot be loaded.
        (
            &["--dyn-mode=foo::bar"],
            "UNKNOWN: Cannot load module --dyn-mode: 'foo::bar' (this program holds cloud::aws::cloudtrail::mode::{checktrailstatus,countevents} only). \n",
            3,
        ),
        // script_custom.pm::init: neither.
        (
            &[],
            "UNKNOWN: Need to specify '--mode' or '--dyn-mode' option. \n",
            3,
        ),
        // script_custom.pm::init: an unknown --mode.
        (
            &["--mode=foo"],
            "UNKNOWN: mode 'foo' doesn't exist (use --list-mode option to show available modes). \n",
            3,
        ),
    ];
    for (extra, out, code) in cases {
        let r = with(extra);
        assert_eq!((r.stdout.as_str(), r.code), (*out, *code), "{extra:?}");
    }
    // output.pm: output->{mode} stays '' with --dyn-mode (JSON, perfdata).
    let r = with(&[
        "--dyn-mode=cloud::aws::cloudtrail::mode::countevents",
        "--output-json",
    ]);
    let v = json_of(&r);
    assert_eq!(v["plugin"]["mode"], "");
    assert_eq!(v["plugin"]["perfdatas"][0]["mode"], "");
    // output.pm::filter_perfdata: %(mode) is '' too.
    let r = with(&[
        "--dyn-mode=cloud::aws::cloudtrail::mode::countevents",
        "--filter-perfdata-adv=%(mode) eq ''",
    ]);
    assert_eq!(r.stdout, BASE);
    // script_custom.pm::init: --help of the dyn mode.
    let r = run(&[
        PLUGIN,
        "--dyn-mode=cloud::aws::cloudtrail::mode::countevents",
        "--help",
    ]);
    assert!(r.stdout.contains("    --warning-count\n"), "{}", r.stdout);
    assert_eq!(r.code, 3);
}

// ---------------------------------------------------------------------
// Refused options
// ---------------------------------------------------------------------

#[test]
fn refused_options() {
    let s = server();
    table(
        &s,
        count,
        &[
            // Deviation (script.pm::check_relaunch): no relaunch as
            // another user.
            (
                &["--runas=nagios"],
                "UNKNOWN: option --runas is not supported: run the check as the right user from the command definition. \n",
                3,
            ),
            // Deviation (script.pm::check_relaunch): no relaunch with
            // another environment.
            (
                &["--environment=A=B"],
                "UNKNOWN: option --environment is not supported: set the variables in the command definition. \n",
                3,
            ),
            // Deviation (script_custom.pm): --multiple.
            (
                &["--multiple"],
                "UNKNOWN: option --multiple is not supported: no mode of this plugin uses several connectors. \n",
                3,
            ),
            // Deviation (script_custom.pm): --no-sanity-options.
            (
                &["--no-sanity-options"],
                "UNKNOWN: option --no-sanity-options is not supported: unknown options are always reported. \n",
                3,
            ),
            // Deviation (script_custom.pm::run): no discovery in these
            // modes.
            (
                &["--disco-format"],
                "UNKNOWN: mode countevents has no discovery: --disco-format and --disco-show need a discovery mode. \n",
                3,
            ),
            (
                &["--disco-show"],
                "UNKNOWN: mode countevents has no discovery: --disco-format and --disco-show need a discovery mode. \n",
                3,
            ),
            // alternative/Getopt.pm: empty or 0 means not given.
            (&["--runas="], BASE, 0),
            (&["--multiple=0"], BASE, 0),
            (&["--no-sanity-options=0"], BASE, 0),
            (&["--disco-show=0"], BASE, 0),
        ],
    );
    table(
        &s,
        trail,
        &[(
            &["--disco-format"],
            "UNKNOWN: mode checktrailstatus has no discovery: --disco-format and --disco-show need a discovery mode. \n",
            3,
        )],
    );
    // output.pm::option_exit: the refusal in JSON.
    let v = json_of(&count(&s, &["--disco-show", "--output-json"]));
    assert_eq!(v["plugin"]["exit"], "unknown");
    assert_eq!(
        v["plugin"]["outputs"][0]["msg"],
        "UNKNOWN: mode countevents has no discovery: --disco-format and --disco-show need a discovery mode."
    );
}

// ---------------------------------------------------------------------
// Every option of --help is exercised
// ---------------------------------------------------------------------

/// Every `--name` in a text.
fn option_names(text: &str) -> Vec<String> {
    let re = Regex::new(r"--[a-z][a-z0-9-]*[a-z0-9]").unwrap();
    let mut v: Vec<String> = re.find_iter(text).map(|m| m.as_str().to_owned()).collect();
    v.sort();
    v.dedup();
    v
}

/// `--name` used as an option in a test source (not as the prefix of a
/// longer name).
fn exercised(name: &str, sources: &[&str]) -> bool {
    sources.iter().any(|src| {
        src.match_indices(name).any(|(i, _)| {
            !src[i + name.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
        })
    })
}

#[test]
fn every_help_option_is_exercised() {
    let sources = [
        include_str!("generic.rs"),
        include_str!("invocation.rs"),
        include_str!("../../src/cli/tests.rs"),
        include_str!("../../src/output/perfdata_rewrite/tests.rs"),
        include_str!("../../src/output/text_rewrite/tests.rs"),
        include_str!("../../src/output/exit_rewrite/tests.rs"),
        include_str!("scale.rs"),
        include_str!("traildelivery.rs"),
        include_str!("trailsecurity.rs"),
        include_str!("listtrails.rs"),
        include_str!("alltrails.rs"),
        include_str!("regions.rs"),
        include_str!("countevents_beyond.rs"),
        include_str!("securityevents.rs"),
        include_str!("textfile.rs"),
        include_str!("logintegrity.rs"),
        include_str!("logsource.rs"),
        include_str!("s3role.rs"),
        include_str!("bucketposture.rs"),
    ];
    let mut help = run(&[PLUGIN, "--help"]).stdout;
    for mode in MODES {
        for custom in ["api", "awscli", "paws"] {
            let r = run(&[
                PLUGIN,
                &format!("--mode={mode}"),
                &format!("--custommode={custom}"),
                "--help",
            ]);
            assert_eq!(r.code, 3);
            assert!(
                r.stdout.contains("Output Options:"),
                "{mode}/{custom}: {}",
                r.stdout
            );
            help.push_str(&r.stdout);
        }
    }
    let names = option_names(&help);
    assert!(names.len() > 60, "{names:?}");
    for must in [
        "--output-openmetrics",
        "--change-output-adv",
        "--trail-name",
    ] {
        assert!(names.iter().any(|n| n == must), "{must} not in help");
    }
    let missing: Vec<&String> = names.iter().filter(|n| !exercised(n, &sources)).collect();
    assert!(
        missing.is_empty(),
        "options in --help that no test exercises: {missing:?}"
    );
}
