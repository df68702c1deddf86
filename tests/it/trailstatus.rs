use serde_json::json;

use crate::util::{PLUGIN, Reply, SECRET, Server, authorization_parts, run, run_against, run_env};

fn trail_server(logging: bool) -> Server {
    Server::start(move |req| {
        if req.operation() == "GetTrailStatus" {
            Reply::json(
                200,
                json!({"IsLogging": logging, "LatestDeliveryTime": 1.683298944125E9}),
            )
        } else {
            Reply::aws_error(400, "UnknownOperationException", "unexpected")
        }
    })
}

fn check(server: &Server, extra: &[&str]) -> crate::util::Run {
    run_against(
        server,
        &[
            &[
                "--custommode=paws",
                "--mode=checktrailstatus",
                "--trail-name=my-trail",
            ][..],
            extra,
        ]
        .concat(),
    )
}

#[test]
fn logging_trail_is_ok() {
    let s = trail_server(true);
    let r = check(&s, &[]);
    assert_eq!(
        r.stdout,
        "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\n"
    );
    assert_eq!(r.code, 0);
}

#[test]
fn stopped_trail_is_critical() {
    let s = trail_server(false);
    let r = check(&s, &[]);
    assert_eq!(
        r.stdout,
        "CRITICAL: Trail is logging: 0 | 'trail_is_logging'=0;;;0;\n"
    );
    assert_eq!(r.code, 2);
}

#[test]
fn request_is_a_signed_json_1_1_call() {
    let s = trail_server(true);
    check(&s, &[]);
    let reqs = s.requests();
    assert_eq!(reqs.len(), 1);
    let q = &reqs[0];
    assert_eq!(q.method, "POST");
    assert_eq!(q.path, "/");
    assert_eq!(q.header("content-type"), Some("application/x-amz-json-1.1"));
    assert_eq!(
        q.header("x-amz-target"),
        Some("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetTrailStatus")
    );
    assert_eq!(
        q.header("host"),
        Some(format!("127.0.0.1:{}", s.port).as_str())
    );
    assert_eq!(q.json(), json!({"Name": "my-trail"}));
    assert!(
        q.header("user-agent")
            .is_some_and(|u| u.starts_with("check_cloudtrail/"))
    );
    assert_eq!(q.header("x-amz-security-token"), None);
    let date = q.header("x-amz-date").expect("x-amz-date");
    assert_eq!(date.len(), 16);
    assert!(date.ends_with('Z') && date.as_bytes()[8] == b'T');
    let auth = authorization_parts(q.header("authorization").expect("authorization"));
    assert_eq!(
        auth["Credential"],
        format!(
            "AKIDEXAMPLE/{}/eu-west-1/cloudtrail/aws4_request",
            &date[..8]
        )
    );
    assert_eq!(
        auth["SignedHeaders"],
        "content-type;host;x-amz-date;x-amz-target"
    );
    assert_eq!(auth["Signature"].len(), 64);
    // The signed bytes are the bytes sent: content-length matches.
    assert_eq!(
        q.header("content-length"),
        Some(q.body.len().to_string().as_str())
    );
}

#[test]
fn session_token_is_sent_and_signed() {
    let s = trail_server(true);
    let r = check(&s, &["--aws-session-token=FQoGZXIvYXdzEXAMPLETOKEN"]);
    assert_eq!(r.code, 0);
    let q = &s.requests()[0];
    assert_eq!(
        q.header("x-amz-security-token"),
        Some("FQoGZXIvYXdzEXAMPLETOKEN")
    );
    let auth = authorization_parts(q.header("authorization").expect("authorization"));
    assert_eq!(
        auth["SignedHeaders"],
        "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
    );
}

#[test]
fn credentials_from_the_environment() {
    let s = trail_server(true);
    let url = s.url("/");
    let r = run_env(
        &[
            PLUGIN,
            "--mode=checktrailstatus",
            "--trail-name=t",
            &format!("--endpoint-url={url}"),
        ],
        &[
            ("AWS_ACCESS_KEY_ID", "ENVKEY"),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_SESSION_TOKEN", "ENVTOKEN"),
            ("AWS_DEFAULT_REGION", "ap-southeast-2"),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    let q = &s.requests()[0];
    assert_eq!(q.header("x-amz-security-token"), Some("ENVTOKEN"));
    let auth = authorization_parts(q.header("authorization").expect("authorization"));
    assert!(
        auth["Credential"].starts_with("ENVKEY/")
            && auth["Credential"].contains("/ap-southeast-2/cloudtrail/")
    );
}

#[test]
fn trail_arn_gives_the_region() {
    let s = trail_server(true);
    let url = s.url("/");
    let arn = "arn:aws:cloudtrail:ca-central-1:123456789012:trail/org-trail";
    let r = run(&[
        PLUGIN,
        "--mode=checktrailstatus",
        &format!("--trail-name={arn}"),
        "--aws-access-key=AK",
        &format!("--aws-secret-key={SECRET}"),
        &format!("--endpoint-url={url}"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let q = &s.requests()[0];
    assert_eq!(q.json(), json!({"Name": arn}));
    assert!(
        q.header("authorization")
            .is_some_and(|a| a.contains("/ca-central-1/cloudtrail/aws4_request"))
    );
}

#[test]
fn endpoint_path_is_kept_and_signed() {
    let s = trail_server(true);
    let url = s.url("/cloudtrail/gettrailstatus/true");
    let r = run(&[
        PLUGIN,
        "--region=eu-west",
        "--mode=checktrailstatus",
        "--trail-name=trailname",
        "--aws-access-key=key",
        "--aws-secret-key=secret",
        &format!("--endpoint={url}"),
    ]);
    assert_eq!(r.code, 0);
    assert_eq!(s.requests()[0].path, "/cloudtrail/gettrailstatus/true");
}

#[test]
fn answer_without_is_logging_is_unknown_not_ok() {
    let s = Server::start(|_| Reply::json(200, json!({"LatestDeliveryTime": 1})));
    let r = check(&s, &[]);
    assert_eq!(r.code, 3);
    assert_eq!(
        r.stdout,
        "UNKNOWN: GetTrailStatus failed: unexpected response: no IsLogging in the answer \n"
    );
}

/// `CHECK_CLOUDTRAIL_AWSCLI=builtin`: an awscli check runs the built-in
/// client (no aws CLI is even looked for) and says so under --debug;
/// anything but `builtin` or `aws` is refused by name.
#[test]
fn the_poller_can_run_awscli_checks_natively() {
    let s = trail_server(true);
    let awscli = ["--custommode=awscli", "--command=/nonexistent/aws"];
    let builtin = [("CHECK_CLOUDTRAIL_AWSCLI", "builtin")];
    let r = check_env(&s, &awscli, &builtin);
    assert_eq!(
        (r.stdout.as_str(), r.code),
        ("OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\n", 0)
    );
    assert_eq!(s.requests().len(), 1);
    let debug = check_env(&s, &[&awscli[..], &["--debug"]].concat(), &builtin);
    assert!(
        debug.stdout.contains(
            "\n--custommode=awscli runs the built-in client (CHECK_CLOUDTRAIL_AWSCLI=builtin)\n"
        ),
        "{}",
        debug.stdout
    );
    // Unset or `aws`: the aws CLI, which is missing here.
    for env in [&[][..], &[("CHECK_CLOUDTRAIL_AWSCLI", "aws")][..]] {
        let r = check_env(&s, &awscli, env);
        assert_eq!(r.code, 3, "{}", r.stdout);
        assert!(r.stdout.contains("/nonexistent/aws"), "{}", r.stdout);
    }
    let typo = [("CHECK_CLOUDTRAIL_AWSCLI", "yes")];
    let r = check_env(&s, &awscli, &typo);
    assert_eq!(
        r.stdout,
        "UNKNOWN: CHECK_CLOUDTRAIL_AWSCLI='yes': must be 'builtin' (run --custommode=awscli \
         checks with the built-in client) or 'aws'. \n"
    );
    assert_eq!(s.requests().len(), 2);
    // The built-in client's checks never read it: a typo leaves them be.
    let api = check_env(&s, &[], &typo);
    assert_eq!(api.code, 0, "{}", api.stdout);
}

/// The check against `server` with `extra` options, in `env` only.
fn check_env(server: &Server, extra: &[&str], env: &[(&str, &str)]) -> crate::util::Run {
    let endpoint = format!("--endpoint-url={}", server.url("/"));
    let secret = format!("--aws-secret-key={SECRET}");
    let base = [
        PLUGIN,
        "--region=eu-west-1",
        "--aws-access-key=AKIDEXAMPLE",
        &secret,
        &endpoint,
        "--mode=checktrailstatus",
        "--trail-name=my-trail",
    ];
    run_env(&[&base[..], extra].concat(), env)
}
