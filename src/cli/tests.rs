//! Option parser tests: every option, both value forms, Centreon's quirks,
//! and every error in upstream's order.

use std::time::Duration;

use super::options::{Kind::*, Opt, options};
use super::*;
use crate::aws::cloudtrail::Query;
use crate::config::Mode;
use crate::env::MapEnv;
use crate::threshold::{Range, Thresholds};

const PLUGIN: &str = "--plugin=cloud::aws::cloudtrail::plugin";

fn no_env() -> MapEnv {
    // HOME points nowhere, so no ~/.aws file of the machine is read.
    MapEnv::new(&[("HOME", "/nonexistent")])
}

fn inv(args: &[&str]) -> Invocation {
    let mut v = vec!["check_cloudtrail"];
    v.extend_from_slice(args);
    parse(v, &no_env(), None)
}

fn config(args: &[&str]) -> Config {
    match inv(args).command {
        Ok(Command::Check(c)) => *c,
        other => panic!("{args:?} should give a check, got {other:?}"),
    }
}

fn error(args: &[&str]) -> String {
    match inv(args).command {
        Err(e) => e.to_string(),
        other => panic!("{args:?} should fail, got {other:?}"),
    }
}

fn info(args: &[&str]) -> String {
    match inv(args).command {
        Ok(Command::Info(t)) => t,
        other => panic!("{args:?} should print info, got {other:?}"),
    }
}

fn count_cfg(args: &[&str]) -> crate::modes::countevents::Options {
    let mut v = vec![PLUGIN, "--mode=countevents", "--region=eu-west-1"];
    v.extend_from_slice(args);
    match config(&v).mode {
        Mode::CountEvents(c) => *c,
        other => panic!("not countevents: {other:?}"),
    }
}

#[test]
fn both_value_forms_and_last_wins() {
    for args in [
        &[
            "--mode=checktrailstatus",
            "--region=eu-west-1",
            "--trail-name=t",
        ][..],
        &[
            "--mode",
            "checktrailstatus",
            "--region",
            "eu-west-1",
            "--trail-name",
            "t",
        ][..],
        &[
            "--mode=checktrailstatus",
            "--region=us-east-1",
            "--region",
            "eu-west-1",
            "--trail-name=t",
        ][..],
    ] {
        let c = config(args);
        assert_eq!(c.region, "eu-west-1");
        assert!(
            matches!(c.mode, Mode::CheckTrailStatus { trails: crate::config::Trails::One(ref trail_name) } if trail_name == "t")
        );
    }
}

#[test]
fn a_value_starting_with_dash_is_taken_but_not_an_option() {
    // `--warning-count -1` takes "-1" (upstream takes anything not `--…`).
    let c = count_cfg(&["--warning-count", "-1:"]);
    assert_eq!(c.thresholds.warning, Range::parse("-1:"));
    // `--region --trail-name=t`: region gets "" (not given).
    let e = error(&[
        PLUGIN,
        "--mode=checktrailstatus",
        "--region",
        "--trail-name=t",
    ]);
    assert_eq!(e, "Need to specify --region option.");
}

#[test]
fn empty_values_mean_not_given() {
    let c = config(&[
        PLUGIN,
        "--mode=checktrailstatus",
        "--region=eu-west-1",
        "--trail-name=t",
        "--aws-role-arn=",
        "--proxyurl=",
        "--redis-server=",
        "--endpoint-url=",
        "--timeout=",
        "--aws-access-key=",
    ]);
    assert_eq!(c.connection.proxy, None);
    assert_eq!(c.connection.endpoint, None);
    assert_eq!(c.timeout, Duration::from_secs(50));
    assert_eq!(c.connection.credentials.access_key, None);
    let c = count_cfg(&["--delta=", "--warning-count=", "--event-type="]);
    assert_eq!(c.delta, Duration::from_secs(3600));
    assert_eq!(c.thresholds, Thresholds::default());
    assert_eq!(c.event_type, None);
}

#[test]
fn required_options_keep_upstream_text() {
    assert_eq!(
        error(&[PLUGIN, "--mode=checktrailstatus", "--trail-name=t"]),
        "Need to specify --region option."
    );
    assert_eq!(
        error(&[
            PLUGIN,
            "--mode=checktrailstatus",
            "--region=",
            "--trail-name=t"
        ]),
        "Need to specify --region option."
    );
    assert_eq!(
        error(&[PLUGIN, "--mode=checktrailstatus", "--region=eu-west-1"]),
        "Need to specify --trail-name option."
    );
    assert_eq!(
        error(&[
            PLUGIN,
            "--mode=checktrailstatus",
            "--region=eu-west-1",
            "--trail-name="
        ]),
        "Need to specify --trail-name option."
    );
    assert_eq!(
        error(&[PLUGIN]),
        "Need to specify '--mode' or '--dyn-mode' option."
    );
    assert_eq!(
        error(&[PLUGIN, "--mode=foo"]),
        "mode 'foo' doesn't exist (use --list-mode option to show available modes)."
    );
    assert_eq!(
        error(&[PLUGIN, "--custommode=foo", "--mode=countevents"]),
        "mode 'foo' doesn't exist (use --list-custommode option to show available modes)."
    );
}

#[test]
fn region_sources() {
    let env = MapEnv::new(&[
        ("AWS_REGION", "eu-central-1"),
        ("AWS_DEFAULT_REGION", "us-west-2"),
        ("HOME", "/h"),
    ]);
    let parse_with = |args: &[&str], env: &MapEnv| {
        let mut v = vec!["check_cloudtrail", PLUGIN, "--mode=checktrailstatus"];
        v.extend_from_slice(args);
        match parse(v, env, SharedFiles::load(env).ok().as_ref()).command {
            Ok(Command::Check(c)) => c.region,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(parse_with(&["--trail-name=t"], &env), "eu-central-1");
    assert_eq!(
        parse_with(&["--trail-name=t", "--region=ap-south-1"], &env),
        "ap-south-1"
    );
    let only_default = MapEnv::new(&[("AWS_DEFAULT_REGION", "us-west-2")]);
    assert_eq!(parse_with(&["--trail-name=t"], &only_default), "us-west-2");
    // A trail ARN's region beats the environment default, not --region.
    let arn = "--trail-name=arn:aws:cloudtrail:ca-central-1:123456789012:trail/org";
    assert_eq!(parse_with(&[arn], &env), "ca-central-1");
    assert_eq!(parse_with(&[arn, "--region=eu-west-3"], &env), "eu-west-3");
    // Centreon's own tests use a short region with an endpoint.
    assert_eq!(
        parse_with(&["--trail-name=t", "--region=eu-west"], &env),
        "eu-west"
    );
    // Last comes the region of the profile in use.
    let files = MapEnv::new(&[("HOME", "/h")]).file(
        "/h/.aws/config",
        "[default]\nregion = sa-east-1\n[profile mon]\nregion = af-south-1\n",
    );
    assert_eq!(parse_with(&["--trail-name=t"], &files), "sa-east-1");
    assert_eq!(
        parse_with(&["--trail-name=t", "--aws-profile=mon"], &files),
        "af-south-1"
    );
    let mut named = files.clone();
    named.vars.insert("AWS_PROFILE".into(), "mon".into());
    assert_eq!(parse_with(&["--trail-name=t"], &named), "af-south-1");
    let mut custom = MapEnv::new(&[("AWS_CONFIG_FILE", "/etc/aws.cfg")]);
    custom = custom.file("/etc/aws.cfg", "[default]\nregion=me-south-1\n");
    assert_eq!(parse_with(&["--trail-name=t"], &custom), "me-south-1");
}

#[test]
fn bad_regions_are_refused_before_any_request() {
    for bad in ["EU-WEST-1", "eu_west_1", "eu-west-1/../x", "eu west", "é"] {
        let e = error(&[
            PLUGIN,
            "--mode=checktrailstatus",
            "--trail-name=t",
            &format!("--region={bad}"),
        ]);
        assert!(e.contains("is not a region name") && e.contains(bad), "{e}");
    }
}

#[test]
fn arn_regions() {
    assert_eq!(
        arn_region("arn:aws:cloudtrail:eu-west-1:123456789012:trail/x"),
        Some("eu-west-1")
    );
    assert_eq!(
        arn_region("arn:aws-cn:cloudtrail:cn-north-1:1:trail/x"),
        Some("cn-north-1")
    );
    assert_eq!(arn_region("arn:aws:s3:::bucket"), None);
    assert_eq!(arn_region("my-trail"), None);
}

#[test]
fn credentials_and_connectivity_options() {
    let c = config(&[
        PLUGIN,
        "--custommode=paws",
        "--mode=checktrailstatus",
        "--region=eu-west-1",
        "--trail-name=t",
        "--aws-access-key",
        "AK",
        "--aws-secret-key=S/K+",
        "--aws-session-token=TOK",
        "--endpoint=http://127.0.0.1:3000/x",
        "--proxyurl=http://proxy:3128",
        "--timeout=7",
    ]);
    assert_eq!(c.custom_mode, CustomMode::Api);
    assert_eq!(c.connection.credentials.access_key.as_deref(), Some("AK"));
    assert_eq!(c.connection.credentials.secret_key.as_deref(), Some("S/K+"));
    assert_eq!(
        c.connection.credentials.session_token.as_deref(),
        Some("TOK")
    );
    assert_eq!(
        c.connection.endpoint.as_deref(),
        Some("http://127.0.0.1:3000/x")
    );
    assert_eq!(
        c.connection.proxy.as_ref().map(|p| p.0.as_str()),
        Some("http://proxy:3128")
    );
    assert_eq!(c.timeout, Duration::from_secs(7));
    // --endpoint-url wins over the Paws spelling.
    let c = config(&[
        PLUGIN,
        "--mode=checktrailstatus",
        "--region=eu-west-1",
        "--trail-name=t",
        "--endpoint=http://a/",
        "--endpoint-url=http://b/",
        "--custommode=api",
    ]);
    assert_eq!(c.connection.endpoint.as_deref(), Some("http://b/"));
}

#[test]
fn timeouts() {
    for bad in ["0", "-1", "abc", "1e3", "100000"] {
        let e = error(&[
            PLUGIN,
            "--mode=checktrailstatus",
            "--region=x",
            "--trail-name=t",
            &format!("--timeout={bad}"),
        ]);
        assert!(e.starts_with("--timeout must be") && e.contains(bad), "{e}");
    }
    let c = config(&[
        PLUGIN,
        "--mode=checktrailstatus",
        "--region=x",
        "--trail-name=t",
        "--timeout=0.5",
    ]);
    assert_eq!(c.timeout, Duration::from_millis(500));
}

#[test]
fn countevents_options() {
    let c = count_cfg(&[
        "--delta=10",
        "--event-type=AwsApiCall",
        "--error-message=.*error",
        "--warning-count=5",
        "--critical-count",
        "@10:20",
        "--max-pages=3",
    ]);
    assert_eq!(c.delta, Duration::from_secs(600));
    assert_eq!(c.event_type.as_deref(), Some("AwsApiCall"));
    assert!(
        c.error_message
            .as_ref()
            .is_some_and(|r| r.is_match("Login error"))
    );
    assert_eq!(c.thresholds.warning, Range::parse("5"));
    assert_eq!(c.thresholds.critical, Range::parse("@10:20"));
    assert_eq!(c.max_pages, 3);
    assert_eq!(count_cfg(&["--delta=0.5"]).delta, Duration::from_secs(30));
    assert_eq!(count_cfg(&[]).max_pages, 100);
}

#[test]
fn countevents_bad_values_name_the_option() {
    let base = [PLUGIN, "--mode=countevents", "--region=eu-west-1"];
    let err = |extra: &str| {
        let mut v = base.to_vec();
        v.push(extra);
        error(&v)
    };
    assert_eq!(
        err("--warning-count=abc"),
        "Wrong warning-count threshold 'abc'."
    );
    assert_eq!(
        err("--critical-count=10:5"),
        "Wrong critical-count threshold '10:5'."
    );
    for d in ["0", "-5", "x", "1e2"] {
        let e = err(&format!("--delta={d}"));
        assert!(e.starts_with("--delta must be") && e.contains(d), "{e}");
    }
    let e = err("--error-message=(unclosed");
    assert!(
        e.starts_with("--error-message '(unclosed' is not a supported regular expression"),
        "{e}"
    );
    // Perl look-around is not in regex-lite: a clear error, not a mismatch.
    let e = err("--error-message=(?=x)");
    assert!(e.contains("not a supported regular expression"), "{e}");
    for re in ["a++", "x*+", "b?+", "c{2}+"] {
        let e = err(&format!("--error-message={re}"));
        assert!(
            e.contains("possessive quantifiers are not supported"),
            "{e}"
        );
    }
    // Escaped and in-class pluses are ordinary.
    for re in [r"\++", "[+]+", "a+?", "x+"] {
        assert!(
            count_cfg(&[&format!("--error-message={re}")])
                .error_message
                .is_some(),
            "{re}"
        );
    }
    for p in ["0", "-1", "x"] {
        let e = err(&format!("--max-pages={p}"));
        assert!(e.starts_with("--max-pages must be") && e.contains(p), "{e}");
    }
}

#[test]
fn countevents_lookup_attributes() {
    use crate::aws::cloudtrail::{Attribute, AttributeKey};
    let a = |key, value: &str| Attribute {
        key,
        value: value.to_owned(),
    };
    // The first in the fixed order goes to LookupEvents, whatever the
    // order on the command line; the others are ours to check, in order.
    let c = count_cfg(&[
        "--read-only=TRUE",
        "--access-key-id=AKIAIOSFODNN7EXAMPLE",
        "--resource-name=my-bucket",
        "--resource-type",
        "AWS::S3::Bucket",
        "--username=alice",
        "--event-source=s3.amazonaws.com",
        "--event-name=PutObject",
    ]);
    assert_eq!(
        c.query.attribute,
        Some(a(AttributeKey::EventName, "PutObject"))
    );
    assert_eq!(
        c.attributes,
        vec![
            a(AttributeKey::EventSource, "s3.amazonaws.com"),
            a(AttributeKey::Username, "alice"),
            a(AttributeKey::ResourceType, "AWS::S3::Bucket"),
            a(AttributeKey::ResourceName, "my-bucket"),
            a(AttributeKey::AccessKeyId, "AKIAIOSFODNN7EXAMPLE"),
            a(AttributeKey::ReadOnly, "true"),
        ]
    );
    assert!(!c.query.insight);
    let c = count_cfg(&["--read-only=false", "--username", "bob"]);
    assert_eq!(c.query.attribute, Some(a(AttributeKey::Username, "bob")));
    assert_eq!(c.attributes, vec![a(AttributeKey::ReadOnly, "false")]);
    for (opt, key) in ATTRIBUTE_OPTIONS {
        let value = if key == AttributeKey::ReadOnly {
            "false"
        } else {
            "AKIAIOSFODNN7EXAMPLE"
        };
        let c = count_cfg(&[&format!("--{opt}={value}")]);
        assert_eq!(c.query.attribute, Some(a(key, value)), "--{opt}");
        assert!(c.attributes.is_empty());
    }
    // Empty means not given (unset Centreon macros); the last one wins.
    let c = count_cfg(&["--event-name=", "--username=", "--read-only="]);
    assert_eq!(c.query, Query::default());
    assert!(c.attributes.is_empty());
    let c = count_cfg(&["--event-name=A", "--event-name=B"]);
    assert_eq!(c.query.attribute, Some(a(AttributeKey::EventName, "B")));
}

#[test]
fn countevents_our_filters_and_flags() {
    let c = count_cfg(&[]);
    assert!(c.error_code.is_none() && c.filter_event_name.is_none());
    assert!(!c.query.insight && !c.exclude_self && !c.stop_at_critical);
    let c = count_cfg(&[
        "--error-code=AccessDenied",
        "--filter-event-name=^(Create|Delete)User$",
        "--insight",
        "--exclude-self",
        "--critical-count=10",
        "--stop-at-critical",
    ]);
    assert_eq!(c.error_code.as_deref(), Some("AccessDenied"));
    let re = c.filter_event_name.as_ref().unwrap();
    assert!(re.is_match("CreateUser") && !re.is_match("CreateUserX"));
    assert!(c.query.insight && c.exclude_self && c.stop_at_critical);
    // Flags given 0 are off, as every Centreon flag.
    let c = count_cfg(&["--insight=0", "--exclude-self", "0", "--stop-at-critical=0"]);
    assert!(!c.query.insight && !c.exclude_self && !c.stop_at_critical);
    // Ranges that alert above a bound.
    for crit in ["10", "~:10", "5:10", "@10:", "0"] {
        assert!(
            count_cfg(&[&format!("--critical-count={crit}"), "--stop-at-critical"])
                .stop_at_critical,
            "{crit}"
        );
    }
    // Without --stop-at-critical any range is fine.
    count_cfg(&["--critical-count=10:"]);
    // These options exist only with countevents.
    for o in [
        "--event-name=x",
        "--error-code=x",
        "--filter-event-name=x",
        "--insight",
        "--exclude-self",
        "--stop-at-critical",
        "--read-only=true",
    ] {
        assert_eq!(
            error(&[
                PLUGIN,
                "--mode=checktrailstatus",
                "--region=eu-west-1",
                "--trail-name=t",
                o
            ]),
            format!("Unknown option: {}", o.split('=').next().unwrap())
        );
    }
}

#[test]
fn countevents_bad_filter_values_quote_them() {
    let base = [PLUGIN, "--mode=countevents", "--region=eu-west-1"];
    let err = |extra: &[&str]| {
        let mut v = base.to_vec();
        v.extend_from_slice(extra);
        error(&v)
    };
    assert_eq!(
        err(&["--read-only=yes"]),
        "--read-only must be true or false, got 'yes'."
    );
    assert_eq!(
        err(&["--access-key-id=akia123"]),
        "--access-key-id 'akia123' is not an access key id (16 to 128 of A-Z and 0-9)."
    );
    assert_eq!(
        err(&["--access-key-id=AKIA-IOSFODNN7EXAMPLE"]),
        "--access-key-id 'AKIA-IOSFODNN7EXAMPLE' is not an access key id (16 to 128 of A-Z and 0-9)."
    );
    let long = "x".repeat(2001);
    for opt in [
        "event-name",
        "event-source",
        "username",
        "resource-type",
        "resource-name",
    ] {
        assert_eq!(
            err(&[&format!("--{opt}=a\tb")]),
            // Control characters are shown as spaces.
            format!(
                "--{opt} 'a b' is not a lookup value: at most 2000 characters, no control characters."
            )
        );
        let e = err(&[&format!("--{opt}={long}")]);
        assert!(
            e.starts_with(&format!("--{opt} 'xxx"))
                && e.ends_with(
                    "is not a lookup value: at most 2000 characters, no control characters."
                ),
            "{e}"
        );
        // 2000 is fine.
        count_cfg(&[&format!("--{opt}={}", "x".repeat(2000))]);
    }
    assert_eq!(
        err(&["--error-code=Access\nDenied"]),
        "--error-code 'Access Denied' is not an error code: at most 2000 characters, no control characters."
    );
    assert_eq!(
        err(&["--filter-event-name=(?<=Create)User"]),
        "--filter-event-name '(?<=Create)User' is not a supported regular expression: look-around is not supported"
    );
    let e = err(&["--filter-event-name=(unclosed"]);
    assert!(
        e.starts_with("--filter-event-name '(unclosed' is not a supported regular expression: "),
        "{e}"
    );
    assert_eq!(
        err(&["--filter-event-name=Get.++"]),
        "--filter-event-name 'Get.++' is not a supported regular expression: possessive quantifiers are not supported"
    );
    assert!(
        err(&["--filter-event-name=\\1"])
            .starts_with("--filter-event-name '\\1' is not a supported")
    );
    assert_eq!(
        err(&["--stop-at-critical"]),
        "--stop-at-critical needs --critical-count (like 10: CRITICAL above 10)."
    );
    assert_eq!(
        err(&["--stop-at-critical", "--critical-count="]),
        "--stop-at-critical needs --critical-count (like 10: CRITICAL above 10)."
    );
    for crit in ["10:", "@10:20", "~:"] {
        assert_eq!(
            err(&["--stop-at-critical", &format!("--critical-count={crit}")]),
            format!(
                "--stop-at-critical needs a --critical-count that alerts above a bound (like 10, ~:10, 5:10 or @10:), got '{crit}'."
            )
        );
    }
    // A bad range is still the threshold's own error.
    assert_eq!(
        err(&["--stop-at-critical", "--critical-count=x"]),
        "Wrong critical-count threshold 'x'."
    );
}

#[test]
fn cloudwatch_options_are_accepted_and_ignored() {
    config(&[
        PLUGIN,
        "--mode=checktrailstatus",
        "--region=x",
        "--trail-name=t",
        "--period=60",
        "--timeframe=600",
        "--statistic=average",
        "--statistic=sum",
        "--zeroed",
    ]);
    assert_eq!(
        error(&[
            PLUGIN,
            "--mode=checktrailstatus",
            "--region=x",
            "--trail-name=t",
            "--statistic=median"
        ]),
        "Statistic 'median' is not handled"
    );
}

#[test]
fn refused_options_say_why_and_empty_ones_are_ignored() {
    let never: Vec<(&Opt, &str)> = options()
        .filter(|o| matches!(o.support, Support::Never(_)))
        .filter_map(|o| Some((o, o.exact()?)))
        .collect();
    assert!(never.len() >= 8);
    for (o, name) in never {
        let given = match o.kind {
            Flag => format!("--{}", name),
            Value | List => format!("--{}=x", name),
        };
        let base = [
            PLUGIN,
            "--mode=checktrailstatus",
            "--region=x",
            "--trail-name=t",
        ];
        let mut v = base.to_vec();
        v.push(&given);
        let e = error(&v);
        assert!(
            e.starts_with(&format!("option --{} is not supported: ", name)),
            "{e}"
        );
        let empty = match o.kind {
            Flag => format!("--{}=0", name),
            Value | List => format!("--{}=", name),
        };
        let mut v = base.to_vec();
        v.push(&empty);
        config(&v);
    }
}

#[test]
fn every_declared_option_parses_in_both_forms() {
    for name in options().flat_map(Opt::names) {
        let mut p = parse_raw([format!("--{name}=v1"), format!("--{name}"), "v2".into()]);
        assert!(p.unknown.is_none() && p.alone.is_none(), "--{name}");
        assert_eq!(
            p.values.remove(&name),
            Some(vec!["v1".into(), "v2".into()]),
            "--{name}"
        );
    }
}

#[test]
fn flags_follow_centreon_rules() {
    let r = parse_raw(["--verbose", "--debug=0", "--zeroed", "0"]);
    assert!(r.flag("verbose"));
    assert!(!r.flag("debug"));
    assert!(!r.flag("zeroed"));
    let i = inv(&[PLUGIN, "--mode=checktrailstatus", "--verbose", "--debug"]);
    assert!(i.verbose && i.debug);
}

#[test]
fn unknown_and_stray_arguments() {
    let base = [
        PLUGIN,
        "--mode=checktrailstatus",
        "--region=x",
        "--trail-name=t",
    ];
    let with = |extra: &[&str]| {
        let mut v = base.to_vec();
        v.extend_from_slice(extra);
        error(&v)
    };
    assert_eq!(with(&["--foo"]), "Unknown option: --foo");
    assert_eq!(with(&["--foo=1", "--bar"]), "Unknown option: --foo");
    assert_eq!(with(&["-h"]), "Unknown option: -h");
    assert_eq!(with(&["--aws-profile=p", "--foo"]), "Unknown option: --foo");
    // A mode's option only exists with that mode, as upstream.
    assert_eq!(with(&["--delta=5"]), "Unknown option: --delta");
    assert_eq!(with(&["--verbose", "--", "extra"]), "argument extra alone");
}

#[test]
fn errors_come_in_upstream_order() {
    // Unknown option before a missing region, missing region before the
    // mode's own checks.
    assert_eq!(
        error(&[PLUGIN, "--mode=countevents", "--foo", "--warning-count=x"]),
        "Unknown option: --foo"
    );
    assert_eq!(
        error(&[PLUGIN, "--mode=countevents", "--warning-count=x"]),
        "Need to specify --region option."
    );
    // But help comes before everything.
    assert!(info(&[PLUGIN, "--mode=countevents", "--foo", "--help"]).contains("--event-type"));
}

#[test]
fn plugin_option() {
    config(&["--mode=checktrailstatus", "--region=x", "--trail-name=t"]);
    config(&[
        "--plugin=",
        "--mode=checktrailstatus",
        "--region=x",
        "--trail-name=t",
    ]);
    let e = error(&[
        "--plugin=os::linux::snmp::plugin",
        "--mode=checktrailstatus",
    ]);
    assert!(
        e.starts_with("Cannot load module --plugin") && e.contains("os::linux::snmp::plugin"),
        "{e}"
    );
}

#[test]
fn opt_exit() {
    let i = inv(&[PLUGIN, "--opt-exit=Critical"]);
    assert_eq!(i.error_state, State::Critical);
    let i = inv(&[PLUGIN, "--opt-exit=bad", "--mode=countevents"]);
    assert_eq!(i.error_state, State::Unknown);
    assert_eq!(
        i.command.map(|_| ()).unwrap_err().to_string(),
        "Unknown value 'bad' for --opt-exit."
    );
}

#[test]
fn help_version_and_lists() {
    let global = info(&[PLUGIN, "--help"]);
    assert!(
        global.starts_with(
            "\nPlugin Description:\n    Check Amazon CloudTrail.\n\nGlobal Options:\n"
        ),
        "{global}"
    );
    assert!(!global.contains("--trail-name") && !global.contains("Output Options"));
    let mode = info(&[PLUGIN, "--mode=countevents", "--help"]);
    for section in [
        "Global Options:",
        "Output Options:",
        "Api Options:",
        "Mode:\n    Check cloudtrail events",
    ] {
        assert!(mode.contains(section), "{section}");
    }
    for o in [
        "--event-type",
        "--error-message",
        "--delta",
        "--warning-count",
        "--critical-count",
        "--region",
    ] {
        assert!(mode.contains(o), "{o}");
    }
    let trail = info(&[PLUGIN, "--mode=checktrailstatus", "--help"]);
    assert!(trail.contains("--trail-name") && !trail.contains("--delta"));
    assert_eq!(
        info(&[PLUGIN, "--version"]),
        format!("Plugin Version: {} \n", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(
        info(&[PLUGIN, "--mode=countevents", "--version"]),
        "Mode Version: 1.0 \n"
    );
    assert!(
        info(&[PLUGIN, "--list-mode"])
            .ends_with("Modes Available:\n   bucketposture\n   checktrailstatus\n   countevents\n   listtrails\n   logintegrity\n   securityevents\n   traildelivery\n   trailsecurity\n")
    );
    assert!(
        info(&[PLUGIN, "--list-custommode"])
            .ends_with("Custom Modes Available:\n   api\n   awscli\n   paws\n")
    );
}

#[test]
fn every_supported_option_is_in_help() {
    let mut all = String::new();
    for m in ModeName::ALL {
        for custom in ["api", "awscli"] {
            all.push_str(&info(&[
                PLUGIN,
                &format!("--mode={}", m.name()),
                &format!("--custommode={custom}"),
                "--help",
            ]));
        }
    }
    for name in options()
        .filter(|o| !matches!(o.support, Support::Never(_)))
        .flat_map(Opt::names)
    {
        let shown = ["help", "ignore-warn-msg"].contains(&name.as_str())
            || all.contains(&format!("--{name}"));
        assert!(shown, "--{name} is missing from --help");
    }
}

#[test]
fn non_utf8_values_are_named() {
    use std::os::unix::ffi::OsStringExt;
    let args: Vec<OsString> = vec![
        "check_cloudtrail".into(),
        PLUGIN.into(),
        "--mode=checktrailstatus".into(),
        "--region=x".into(),
        OsString::from_vec(b"--trail-name=\xff\xfe".to_vec()),
    ];
    let e = parse(args, &no_env(), None)
        .command
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert_eq!(e, "the value of --trail-name is not valid UTF-8");
}

#[test]
fn role_options() {
    let base = [
        PLUGIN,
        "--mode=checktrailstatus",
        "--region=x",
        "--trail-name=t",
    ];
    let with = |extra: &[&str]| {
        let mut v = base.to_vec();
        v.extend_from_slice(extra);
        inv(&v).command
    };
    let role = |extra: &[&str]| match with(extra) {
        Ok(Command::Check(c)) => c.connection.role,
        other => panic!("{other:?}"),
    };
    assert_eq!(role(&[]), None);
    assert_eq!(role(&["--aws-role-arn="]), None);
    let r = role(&["--aws-role-arn=arn:aws:iam::123456789012:role/ReadOnly"]).unwrap();
    assert_eq!(r.session_name, "centreon-plugins");
    assert_eq!((r.external_id, r.duration), (None, None));
    let r = role(&[
        "--aws-role-arn=arn:aws:iam::123456789012:role/ReadOnly",
        "--aws-role-session-name=poller-1@site",
        "--aws-external-id=abc:123/x",
        "--aws-role-duration=43200",
    ])
    .unwrap();
    assert_eq!(r.session_name, "poller-1@site");
    assert_eq!(r.external_id.as_deref(), Some("abc:123/x"));
    assert_eq!(r.duration, Some(43_200));
    let err = |extra: &[&str]| with(extra).map(|_| ()).unwrap_err().to_string();
    assert!(err(&["--aws-role-arn=ReadOnly"]).contains("is not a role ARN"));
    let arn = "--aws-role-arn=arn:aws:iam::123456789012:role/ReadOnly";
    assert!(err(&[arn, "--aws-role-session-name=has space"]).contains("must be 2 to 64"));
    assert!(err(&[arn, "--aws-role-session-name=x"]).contains("must be 2 to 64"));
    assert!(err(&[arn, "--aws-external-id=a b"]).contains("--aws-external-id 'a b'"));
    for d in ["899", "43201", "1h"] {
        assert!(
            err(&[arn, &format!("--aws-role-duration={d}")]).contains("900 to 43200"),
            "{d}"
        );
    }
}

#[test]
fn connectivity_options() {
    let c = config(&[
        PLUGIN,
        "--mode=checktrailstatus",
        "--region=us-east-1",
        "--trail-name=t",
        "--fips",
        "--ca-bundle=/etc/ca.pem",
        "--skip-ssl-check",
        "--sts-endpoint-url=http://127.0.0.1:9/sts",
        "--aws-profile=mon",
    ]);
    assert!(c.connection.fips && c.connection.skip_ssl_check);
    assert_eq!(c.connection.ca_bundle.as_deref(), Some("/etc/ca.pem"));
    assert_eq!(
        c.connection.sts_endpoint.as_deref(),
        Some("http://127.0.0.1:9/sts")
    );
    assert_eq!(c.connection.credentials.profile.as_deref(), Some("mon"));
    let env = MapEnv::new(&[
        ("AWS_USE_FIPS_ENDPOINT", "true"),
        ("AWS_CA_BUNDLE", "/env/ca.pem"),
    ]);
    let c = match parse(
        [
            "check_cloudtrail",
            PLUGIN,
            "--mode=checktrailstatus",
            "--region=x",
            "--trail-name=t",
        ],
        &env,
        None,
    )
    .command
    {
        Ok(Command::Check(c)) => c,
        other => panic!("{other:?}"),
    };
    assert!(c.connection.fips);
    assert_eq!(c.connection.ca_bundle.as_deref(), Some("/env/ca.pem"));
    let e = error(&[
        PLUGIN,
        "--mode=checktrailstatus",
        "--region=x",
        "--trail-name=t",
        "--sts-endpoint-url=sts",
    ]);
    assert!(
        e.starts_with("--sts-endpoint-url 'sts' is not a URL"),
        "{e}"
    );
}

#[test]
fn awscli_options() {
    let c = config(&[
        PLUGIN,
        "--custommode=awscli",
        "--mode=checktrailstatus",
        "--region=x",
        "--trail-name=t",
        "--command=aws2",
        "--command-path=/opt/aws/bin",
        "--command-options=cloudtrail get-trail-status --name t",
        "--sudo",
    ]);
    assert_eq!(c.custom_mode, CustomMode::AwsCli);
    assert_eq!(
        c.connection.awscli,
        crate::aws::connection::AwsCli {
            command: "aws2".into(),
            command_path: Some("/opt/aws/bin".into()),
            command_options: Some("cloudtrail get-trail-status --name t".into()),
            sudo: true,
        }
    );
    let c = config(&[
        PLUGIN,
        "--custommode=awscli",
        "--mode=countevents",
        "--region=x",
    ]);
    assert_eq!(c.connection.awscli.command, "aws");
    let help = info(&[
        PLUGIN,
        "--custommode=awscli",
        "--mode=countevents",
        "--help",
    ]);
    assert!(help.contains("Awscli Options:") && help.contains("--command-options"));
}

#[test]
fn nul_and_control_characters_in_values() {
    // argv cannot carry a NUL, so the parser is fed one directly.
    let e = error(&[
        PLUGIN,
        "--mode=countevents",
        "--region=x",
        "--warning-count=5\0",
    ]);
    assert!(e.starts_with("Wrong warning-count threshold '5"), "{e}");
    assert!(!e.contains('\0') && !e.contains('\n'), "{e:?}");
    let e = error(&[PLUGIN, "--mode=countevents", "--region=x\0y"]);
    assert!(
        e.contains("is not a region name") && !e.contains('\0'),
        "{e:?}"
    );
    let e = error(&[PLUGIN, "--mode=countevents", "--region=x", "--delta=\u{7}1"]);
    assert!(
        e.starts_with("--delta must be") && !e.chars().any(char::is_control),
        "{e:?}"
    );
}

#[test]
fn statefile_options() {
    let c = config(&[
        PLUGIN,
        "--mode=checktrailstatus",
        "--region=x",
        "--trail-name=t",
        "--statefile-dir=/var/tmp/ct",
        "--statefile-suffix=_poller1",
        "--statefile-concat-cwd",
        "--statefile-format=json",
        "--statefile-storable",
        "--failback-file=/x",
        "--api-rate=1.5",
    ]);
    assert_eq!(
        c.state,
        crate::statefile::Options {
            dir: Some("/var/tmp/ct".into()),
            suffix: "_poller1".into(),
            concat_cwd: true,
            disabled: false,
        }
    );
    assert_eq!(c.rates, crate::aws::quota::Rates::all(1.5));
    let c = config(&[
        PLUGIN,
        "--mode=checktrailstatus",
        "--region=x",
        "--trail-name=t",
        "--disable-statefile",
        "--api-rate=0",
    ]);
    assert!(c.state.disabled);
    assert_eq!(c.rates.interval("LookupEvents"), None);
    assert_eq!(
        config(&[
            PLUGIN,
            "--mode=checktrailstatus",
            "--region=x",
            "--trail-name=t"
        ])
        .rates,
        crate::aws::quota::Rates::default()
    );
    for bad in ["-1", "x", "1e9", "2000"] {
        let e = error(&[
            PLUGIN,
            "--mode=checktrailstatus",
            "--region=x",
            "--trail-name=t",
            &format!("--api-rate={bad}"),
        ]);
        assert!(
            e.starts_with("--api-rate must be") && e.contains(bad),
            "{e}"
        );
    }
}

fn delivery_cfg(args: &[&str]) -> crate::modes::traildelivery::Options {
    let mut v = vec![
        PLUGIN,
        "--mode=traildelivery",
        "--region=eu-west-1",
        "--trail-name=t",
    ];
    v.extend_from_slice(args);
    match config(&v).mode {
        Mode::TrailDelivery { thresholds, .. } => thresholds,
        other => panic!("not traildelivery: {other:?}"),
    }
}

/// The ranges of each selected category, by label.
fn security_cfg(args: &[&str]) -> Vec<(&'static str, Thresholds)> {
    let mut v = vec![PLUGIN, "--mode=securityevents", "--region=eu-west-1"];
    v.extend_from_slice(args);
    match config(&v).mode {
        Mode::SecurityEvents { opts, .. } => opts
            .selected
            .into_iter()
            .map(|(c, t)| (c.label, t))
            .collect(),
        other => panic!("not securityevents: {other:?}"),
    }
}

#[test]
fn delivery_ranges_take_both_spellings() {
    let want = Thresholds {
        warning: Range::parse("60"),
        critical: Range::parse("600"),
    };
    for args in [
        ["--warning-digest-age=60", "--critical-digest-age=600"],
        ["--warning-digest_age=60", "--critical-digest_age=600"],
    ] {
        assert_eq!(delivery_cfg(&args).digest_age, want, "{args:?}");
    }
    // One option under either spelling: the last given wins.
    let o = delivery_cfg(&["--critical-digest_age=1", "--critical-digest-age=600"]);
    assert_eq!(o.digest_age.critical, Range::parse("600"));
    let o = delivery_cfg(&["--critical-digest-age=600", "--critical-digest_age=1"]);
    assert_eq!(o.digest_age.critical, Range::parse("1"));
    assert_eq!(
        error(&[
            PLUGIN,
            "--mode=traildelivery",
            "--region=eu-west-1",
            "--trail-name=t",
            "--warning-delivery_age=x",
        ]),
        "Wrong warning-delivery-age threshold 'x'."
    );
}

#[test]
fn category_ranges_take_both_spellings() {
    let filter = "--filter-category=^unauthorized_api_calls$";
    let want = vec![(
        "unauthorized_api_calls",
        Thresholds {
            warning: Range::parse("5"),
            critical: Range::parse("10"),
        },
    )];
    for args in [
        [
            filter,
            "--warning-unauthorized_api_calls=5",
            "--critical-unauthorized_api_calls=10",
        ],
        [
            filter,
            "--warning-unauthorized-api-calls=5",
            "--critical-unauthorized-api-calls=10",
        ],
    ] {
        assert_eq!(security_cfg(&args), want, "{args:?}");
    }
    let o = security_cfg(&[
        filter,
        "--warning-unauthorized-api-calls=1",
        "--warning-unauthorized_api_calls=5",
    ]);
    assert_eq!(o[0].1.warning, Range::parse("5"));
}

#[test]
fn an_empty_range_keeps_the_default_in_every_mode() {
    let defaults = crate::modes::traildelivery::Options::default();
    assert_eq!(
        delivery_cfg(&["--warning-notification-error=", "--critical-delivery-age="]),
        defaults
    );
    let defaults: Vec<(&str, Thresholds)> = crate::modes::cis::CATEGORIES
        .iter()
        .map(|c| (c.label, c.default_thresholds()))
        .collect();
    assert_eq!(
        security_cfg(&[
            "--critical-root_account_usage=",
            "--warning-vpc_changes=",
            "--warning-vpc-changes=",
        ]),
        defaults
    );
    let c = count_cfg(&["--warning-count=", "--critical-count="]);
    assert_eq!(c.thresholds, Thresholds::default());
}

#[test]
fn per_label_options_belong_to_their_mode() {
    let count = [PLUGIN, "--mode=countevents", "--region=eu-west-1"];
    for typed in [
        "--warning-digest-age",
        "--critical-digest_age",
        "--warning-vpc_changes",
        "--critical-vpc-changes",
    ] {
        let mut v = count.to_vec();
        let given = format!("{typed}=1");
        v.push(&given);
        assert_eq!(error(&v), format!("Unknown option: {typed}"));
    }
    // A label the table does not have is no option.
    assert_eq!(
        error(&[
            PLUGIN,
            "--mode=securityevents",
            "--region=eu-west-1",
            "--warning-vpc_change=1"
        ]),
        "Unknown option: --warning-vpc_change"
    );
}

#[test]
fn per_label_names_never_shadow_another_option() {
    let exact: Vec<&str> = options().filter_map(Opt::exact).collect();
    for name in options()
        .filter(|o| o.exact().is_none())
        .flat_map(Opt::names)
    {
        let dashed = name.replace('_', "-");
        assert!(
            !exact.contains(&name.as_str()) && !exact.contains(&dashed.as_str()),
            "--{name}"
        );
    }
}

#[test]
fn command_options_replace_one_command_only() {
    let base = [
        PLUGIN,
        "--custommode=awscli",
        "--command-options=cloudtrail get-trail-status --name t",
        "--mode=checktrailstatus",
    ];
    for several in [
        &["--region=eu-west-1", "--all-trails"][..],
        &["--region=eu-west-1", "--filter-trail-name=^a"][..],
        &["--regions=eu-west-1,us-east-1", "--trail-name=t"][..],
    ] {
        assert_eq!(
            error(&[&base[..], several].concat()),
            "--command-options replaces one command: it cannot be combined with --regions, \
             --all-trails or --filter-trail-name.",
            "{several:?}"
        );
    }
    // One trail in one region: the command replaces get-trail-status.
    config(&[&base[..], &["--region=eu-west-1", "--trail-name=t"]].concat());
    // The built-in client never runs it.
    let mut api = base;
    api[1] = "--custommode=api";
    config(&[&api[..], &["--region=eu-west-1", "--all-trails"]].concat());
}
