//! The credential chain end to end: the binary against one loopback
//! server playing STS, instance metadata, the container endpoint and
//! CloudTrail, asserting which keys signed the CloudTrail call.

use serde_json::json;

use crate::util::{
    PLUGIN, Reply, Request, Server, TempDir, form, run_env, signing_key_id, sts_credentials,
};

const IMDS_TOKEN: &str = "IMDS-SESSION-TOKEN";

fn fake_aws() -> Server {
    Server::start(|req: &Request| {
        match (req.method.as_str(), req.path.as_str()) {
            ("PUT", "/latest/api/token") => {
                if req.header("x-aws-ec2-metadata-token-ttl-seconds").is_none() {
                    return Reply::aws_error(400, "MissingTtl", "no ttl");
                }
                return text(IMDS_TOKEN);
            }
            ("GET", p) if p.starts_with("/latest/meta-data/iam/security-credentials/") => {
                if req.header("x-aws-ec2-metadata-token") != Some(IMDS_TOKEN) {
                    return Reply::aws_error(401, "Unauthorized", "IMDSv2 token missing");
                }
                return if p.ends_with('/') {
                    text("monitoring-role\n")
                } else {
                    Reply::json(
                        200,
                        json!({"Code": "Success", "Type": "AWS-HMAC",
                        "AccessKeyId": "ASIAIMDS", "SecretAccessKey": "IMDSSECRET",
                        "Token": "IMDSTOKEN", "Expiration": "2099-01-01T00:00:00Z"}),
                    )
                };
            }
            ("GET", "/ecs-creds") => {
                return Reply::json(
                    200,
                    json!({"AccessKeyId": "ASIAECS", "SecretAccessKey": "ECSSECRET",
                    "Token": format!("ECSTOKEN-{}", req.header("authorization").unwrap_or("none")),
                    "Expiration": "2099-01-01T00:00:00Z"}),
                );
            }
            _ => {}
        }
        let f = form(req);
        match f.get("Action").map(String::as_str) {
            Some("AssumeRole") => {
                if req.header("authorization").is_none() {
                    return Reply::aws_error(403, "MissingAuthenticationToken", "unsigned");
                }
                let ak = format!("ASIAROLE-{}", signing_key_id(req));
                return sts_credentials("AssumeRole", &ak, "ROLESECRET", "ROLETOKEN");
            }
            Some("AssumeRoleWithWebIdentity") => {
                if req.header("authorization").is_some() {
                    return Reply::aws_error(400, "Signed", "web identity calls are unsigned");
                }
                let ak = if f.get("WebIdentityToken").map(String::as_str) == Some("eyJ-WEB-TOKEN") {
                    "ASIAWEB"
                } else {
                    "ASIAWEB-WRONG-TOKEN"
                };
                return sts_credentials("AssumeRoleWithWebIdentity", ak, "WEBSECRET", "WEBTOKEN");
            }
            _ => {}
        }
        match req.operation() {
            "GetTrailStatus" => Reply::json(200, json!({"IsLogging": true})),
            other => Reply::aws_error(400, "UnknownOperationException", other),
        }
    })
}

fn text(t: &str) -> Reply {
    Reply {
        status: 200,
        headers: vec![("content-type".into(), "text/plain".into())],
        body: t.as_bytes().to_vec(),
    }
}

/// Runs checktrailstatus against the fake, STS too, with `env` on top of
/// a clean one; returns the key id that signed GetTrailStatus.
fn check(s: &Server, args: &[&str], env: &[(&str, &str)]) -> (crate::util::Run, Option<String>) {
    let url = s.url("/");
    let mut full = vec![
        PLUGIN,
        "--mode=checktrailstatus",
        "--region=eu-west-1",
        "--trail-name=t",
    ];
    let ep = format!("--endpoint-url={url}");
    let sts = format!("--sts-endpoint-url={url}");
    full.push(&ep);
    full.push(&sts);
    full.extend_from_slice(args);
    let r = run_env(&full, env);
    let signer = s
        .requests()
        .iter()
        .rev()
        .find(|q| q.operation() == "GetTrailStatus")
        .map(signing_key_id);
    (r, signer)
}

#[test]
fn flags_then_environment() {
    let s = fake_aws();
    let env = [
        ("AWS_ACCESS_KEY_ID", "ENVKEY"),
        ("AWS_SECRET_ACCESS_KEY", "ENVSECRET"),
    ];
    let (r, k) = check(
        &s,
        &["--aws-access-key=FLAGKEY", "--aws-secret-key=FLAGSECRET"],
        &env,
    );
    assert_eq!((r.code, k.as_deref()), (0, Some("FLAGKEY")), "{}", r.stdout);
    let (r, k) = check(&s, &[], &env);
    assert_eq!((r.code, k.as_deref()), (0, Some("ENVKEY")), "{}", r.stdout);
}

#[test]
fn profiles_from_the_shared_files() {
    let s = fake_aws();
    let dir = TempDir::new("profiles");
    let creds = dir.write(
        "credentials",
        "[default]\naws_access_key_id = DEFAULTKEY\naws_secret_access_key = DEFAULTSECRET\n\
         [mon]\naws_access_key_id = MONKEY\naws_secret_access_key = MONSECRET\n",
        false,
    );
    let config = dir.write(
        "config",
        "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/ReadOnly\nsource_profile = mon\n\
         [profile chained]\nrole_arn = arn:aws:iam::123456789012:role/Second\nsource_profile = role\n\
         [profile loop1]\nrole_arn = arn:aws:iam::123456789012:role/L1\nsource_profile = loop2\n\
         [profile loop2]\nrole_arn = arn:aws:iam::123456789012:role/L2\nsource_profile = loop1\n\
         [profile empty]\nregion = eu-west-1\n",
        false,
    );
    let files = [
        ("AWS_CONFIG_FILE", config.as_str()),
        ("AWS_SHARED_CREDENTIALS_FILE", creds.as_str()),
    ];
    let (r, k) = check(&s, &[], &files);
    assert_eq!(
        (r.code, k.as_deref()),
        (0, Some("DEFAULTKEY")),
        "{}",
        r.stdout
    );
    let (r, k) = check(&s, &["--aws-profile=mon"], &files);
    assert_eq!((r.code, k.as_deref()), (0, Some("MONKEY")), "{}", r.stdout);
    // AWS_PROFILE picks the profile, but environment keys still win over it.
    let mut env = files.to_vec();
    env.push(("AWS_PROFILE", "mon"));
    let (_, k) = check(&s, &[], &env);
    assert_eq!(k.as_deref(), Some("MONKEY"));
    env.extend([
        ("AWS_ACCESS_KEY_ID", "ENVKEY"),
        ("AWS_SECRET_ACCESS_KEY", "ENVSECRET"),
    ]);
    let (_, k) = check(&s, &[], &env);
    assert_eq!(k.as_deref(), Some("ENVKEY"));
    // An explicit --aws-profile uses that profile's chain only.
    let (_, k) = check(&s, &["--aws-profile=mon"], &env);
    assert_eq!(k.as_deref(), Some("MONKEY"));
    // role_arn + source_profile: AssumeRole signed with mon's keys.
    let (r, k) = check(&s, &["--aws-profile=role"], &files);
    assert_eq!(
        (r.code, k.as_deref()),
        (0, Some("ASIAROLE-MONKEY")),
        "{}",
        r.stdout
    );
    let assume = s
        .requests()
        .into_iter()
        .rfind(|q| form(q).get("Action").map(String::as_str) == Some("AssumeRole"))
        .unwrap();
    let f = form(&assume);
    assert_eq!(f["RoleArn"], "arn:aws:iam::123456789012:role/ReadOnly");
    assert_eq!(f["RoleSessionName"], "check_cloudtrail");
    assert!(
        assume
            .header("authorization")
            .unwrap()
            .contains("/eu-west-1/sts/aws4_request")
    );
    // Chained roles: the second AssumeRole is signed by the first role.
    let (r, k) = check(&s, &["--aws-profile=chained"], &files);
    assert_eq!(
        (r.code, k.as_deref()),
        (0, Some("ASIAROLE-ASIAROLE-MONKEY")),
        "{}",
        r.stdout
    );
    let (r, _) = check(&s, &["--aws-profile=loop1"], &files);
    assert_eq!(r.code, 3);
    assert!(
        r.stdout
            .contains("source_profile loop: loop1 -> loop2 -> loop1"),
        "{}",
        r.stdout
    );
    let (r, _) = check(&s, &["--aws-profile=nope"], &files);
    assert!(
        r.stdout
            .starts_with("UNKNOWN: cannot get AWS credentials: profile 'nope' not found in "),
        "{}",
        r.stdout
    );
    let (r, _) = check(&s, &["--aws-profile=empty"], &files);
    assert!(
        r.stdout.contains("profile 'empty' has no credentials"),
        "{}",
        r.stdout
    );
}

#[test]
fn credential_process_runs_without_a_shell() {
    let s = fake_aws();
    let dir = TempDir::new("process");
    let script = dir.write(
        "creds.sh",
        "#!/bin/sh\n[ \"$1\" = 'two words' ] || { echo \"bad argument: $1\" >&2; exit 2; }\n\
         echo '{\"Version\": 1, \"AccessKeyId\": \"PROCKEY\", \"SecretAccessKey\": \"PROCSECRET\", \"SessionToken\": \"PROCTOKEN\"}'\n",
        true,
    );
    let failing = dir.write(
        "fail.sh",
        "#!/bin/sh\necho 'vault sealed' >&2\nexit 3\n",
        true,
    );
    let config = dir.write(
        "config",
        &format!(
            "[default]\ncredential_process = {script} 'two words'\n[profile broken]\ncredential_process = {failing}\n"
        ),
        false,
    );
    let env = [("AWS_CONFIG_FILE", config.as_str())];
    let (r, k) = check(&s, &[], &env);
    assert_eq!((r.code, k.as_deref()), (0, Some("PROCKEY")), "{}", r.stdout);
    let q = s
        .requests()
        .into_iter()
        .rfind(|q| q.operation() == "GetTrailStatus")
        .unwrap();
    assert_eq!(q.header("x-amz-security-token"), Some("PROCTOKEN"));
    let (r, _) = check(&s, &["--aws-profile=broken"], &env);
    assert_eq!(r.code, 3);
    assert!(
        r.stdout
            .contains("profile 'broken' credential_process exited with code 3: vault sealed"),
        "{}",
        r.stdout
    );
}

#[test]
fn web_identity_from_the_environment() {
    let s = fake_aws();
    let dir = TempDir::new("webid");
    let token = dir.write("token", "eyJ-WEB-TOKEN\n", false);
    let env = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token.as_str()),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/Pod"),
        ("AWS_ROLE_SESSION_NAME", "pod-session"),
    ];
    let (r, k) = check(&s, &["--debug"], &env);
    assert_eq!((r.code, k.as_deref()), (0, Some("ASIAWEB")), "{}", r.stdout);
    assert!(
        !r.stdout.contains("eyJ-WEB-TOKEN"),
        "the web identity token leaked:\n{}",
        r.stdout
    );
    let call = s
        .requests()
        .into_iter()
        .find(|q| form(q).get("Action").map(String::as_str) == Some("AssumeRoleWithWebIdentity"))
        .unwrap();
    let f = form(&call);
    assert_eq!(f["RoleArn"], "arn:aws:iam::123456789012:role/Pod");
    assert_eq!(f["RoleSessionName"], "pod-session");
}

#[test]
fn container_credentials() {
    let s = fake_aws();
    let dir = TempDir::new("ecs");
    let token_file = dir.write("token", "FILE-AUTH\n", false);
    let full = s.url("/ecs-creds");
    let (r, k) = check(
        &s,
        &[],
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ENV-AUTH"),
        ],
    );
    assert_eq!((r.code, k.as_deref()), (0, Some("ASIAECS")), "{}", r.stdout);
    let q = s
        .requests()
        .into_iter()
        .rfind(|q| q.operation() == "GetTrailStatus")
        .unwrap();
    assert_eq!(q.header("x-amz-security-token"), Some("ECSTOKEN-ENV-AUTH"));
    // The token file wins over the variable.
    let (_, _) = check(
        &s,
        &[],
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ENV-AUTH"),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", &token_file),
        ],
    );
    let q = s
        .requests()
        .into_iter()
        .rfind(|q| q.operation() == "GetTrailStatus")
        .unwrap();
    assert_eq!(q.header("x-amz-security-token"), Some("ECSTOKEN-FILE-AUTH"));
    // Only loopback and the container metadata addresses are allowed.
    let (r, _) = check(
        &s,
        &[],
        &[(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://example.com/creds",
        )],
    );
    assert_eq!(r.code, 3);
    assert!(
        r.stdout
            .contains("is not a loopback or container metadata address"),
        "{}",
        r.stdout
    );
}

#[test]
fn instance_metadata_v2() {
    let s = fake_aws();
    let imds = s.url("");
    let (r, k) = check(
        &s,
        &[],
        &[
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds),
            ("AWS_EC2_METADATA_DISABLED", "false"),
        ],
    );
    assert_eq!(
        (r.code, k.as_deref()),
        (0, Some("ASIAIMDS")),
        "{}",
        r.stdout
    );
    let reqs = s.requests();
    let put = reqs.iter().find(|q| q.method == "PUT").expect("token PUT");
    assert_eq!(
        put.header("x-aws-ec2-metadata-token-ttl-seconds"),
        Some("21600")
    );
    for g in reqs
        .iter()
        .filter(|q| q.path.starts_with("/latest/meta-data/"))
    {
        assert_eq!(
            g.header("x-aws-ec2-metadata-token"),
            Some(IMDS_TOKEN),
            "{}",
            g.path
        );
    }
    // Disabled: never asked.
    let s2 = fake_aws();
    let (r, _) = check(
        &s2,
        &[],
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &s2.url(""))],
    );
    assert_eq!(r.code, 3);
    assert!(
        r.stdout.contains("instance metadata is disabled"),
        "{}",
        r.stdout
    );
    assert!(
        s2.requests()
            .iter()
            .all(|q| !q.path.starts_with("/latest/"))
    );
}

#[test]
fn instance_metadata_that_never_answers_is_quick() {
    // A listener that accepts and never answers, like a firewalled IMDS.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", l.local_addr().unwrap().port());
    let s = fake_aws();
    let started = std::time::Instant::now();
    let (r, _) = check(
        &s,
        &[],
        &[
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &url),
            ("AWS_EC2_METADATA_DISABLED", "false"),
        ],
    );
    assert_eq!(r.code, 3);
    assert!(
        r.stdout.contains("instance metadata (IMDSv2) at"),
        "{}",
        r.stdout
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    drop(l);
}

#[test]
fn role_on_top_of_any_source() {
    let s = fake_aws();
    let (r, k) = check(
        &s,
        &[
            "--aws-access-key=BASEKEY",
            "--aws-secret-key=BASESECRET",
            "--aws-role-arn=arn:aws:iam::210987654321:role/Audit",
            "--aws-external-id=ext-123",
            "--aws-role-duration=900",
        ],
        &[],
    );
    assert_eq!(
        (r.code, k.as_deref()),
        (0, Some("ASIAROLE-BASEKEY")),
        "{}",
        r.stdout
    );
    let assume = s
        .requests()
        .into_iter()
        .find(|q| form(q).get("Action").map(String::as_str) == Some("AssumeRole"))
        .unwrap();
    let f = form(&assume);
    assert_eq!(f["RoleArn"], "arn:aws:iam::210987654321:role/Audit");
    assert_eq!(f["RoleSessionName"], "centreon-plugins");
    assert_eq!(f["ExternalId"], "ext-123");
    assert_eq!(f["DurationSeconds"], "900");
    assert_eq!(f["Version"], "2011-06-15");
    assert_eq!(
        assume.header("content-type"),
        Some("application/x-www-form-urlencoded; charset=utf-8")
    );
    let q = s
        .requests()
        .into_iter()
        .rfind(|q| q.operation() == "GetTrailStatus")
        .unwrap();
    assert_eq!(q.header("x-amz-security-token"), Some("ROLETOKEN"));
}

#[test]
fn role_failure_names_sts() {
    let s = Server::start(|req: &Request| {
        if form(req).contains_key("Action") {
            Reply {
                status: 403,
                headers: vec![],
                body: b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::1:user/m is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::2:role/Audit</Message></Error></ErrorResponse>".to_vec(),
            }
        } else {
            Reply::json(200, json!({"IsLogging": true}))
        }
    });
    let (r, _) = check(
        &s,
        &[
            "--aws-access-key=K",
            "--aws-secret-key=S",
            "--aws-role-arn=arn:aws:iam::2:role/Audit",
        ],
        &[],
    );
    assert_eq!(r.code, 3);
    assert_eq!(
        r.stdout,
        "UNKNOWN: AssumeRole failed: AccessDenied: User: arn:aws:iam::1:user/m is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::2:role/Audit \n"
    );
    assert!(
        s.requests()
            .iter()
            .all(|q| q.operation() != "GetTrailStatus")
    );
}

#[test]
fn secrets_of_every_source_stay_hidden() {
    let s = fake_aws();
    let (r, _) = check(
        &s,
        &[
            "--debug",
            "--verbose",
            "--aws-access-key=BASEKEY",
            "--aws-secret-key=BASESECRET",
            "--aws-role-arn=arn:aws:iam::210987654321:role/Audit",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("AssumeRole"));
    for secret in ["BASESECRET", "ROLESECRET", "ROLETOKEN"] {
        assert!(!r.stdout.contains(secret), "{secret} leaked:\n{}", r.stdout);
    }
}

#[test]
fn temporary_credentials_are_kept_between_runs() {
    let s = fake_aws();
    let imds = s.url("");
    let state = crate::util::TempDir::new("imds-cache");
    let dir = format!("--statefile-dir={}", state.0.display());
    let env = [
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.as_str()),
        ("AWS_EC2_METADATA_DISABLED", "false"),
    ];
    for _ in 0..2 {
        let (r, k) = check(&s, &[&dir], &env);
        assert_eq!(
            (r.code, k.as_deref()),
            (0, Some("ASIAIMDS")),
            "{}",
            r.stdout
        );
    }
    let puts = s.requests().iter().filter(|q| q.method == "PUT").count();
    assert_eq!(puts, 1, "the second run used the kept credentials");
    // Container credentials too.
    let full = s.url("/ecs-creds");
    let ecs = [("AWS_CONTAINER_CREDENTIALS_FULL_URI", full.as_str())];
    for _ in 0..2 {
        let (r, k) = check(&s, &[&dir], &ecs);
        assert_eq!((r.code, k.as_deref()), (0, Some("ASIAECS")), "{}", r.stdout);
    }
    let gets = s
        .requests()
        .iter()
        .filter(|q| q.path == "/ecs-creds")
        .count();
    assert_eq!(gets, 1);
}

/// The instance-metadata cache's name is predictable: whatever another
/// user (or a group member of a shared `centplugins`) plants at it must
/// never sign a request. Each planted form is ignored, the real IMDS keys
/// sign, and `--debug` says why.
#[test]
fn planted_credential_caches_are_ignored() {
    use std::os::unix::fs::PermissionsExt;
    let s = fake_aws();
    let imds = s.url("");
    let state = TempDir::new("planted");
    let dir = format!("--statefile-dir={}", state.0.display());
    let env = [
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.as_str()),
        ("AWS_EC2_METADATA_DISABLED", "false"),
    ];
    let (r, k) = check(&s, &[&dir], &env);
    assert_eq!(
        (r.code, k.as_deref()),
        (0, Some("ASIAIMDS")),
        "{}",
        r.stdout
    );
    let cache = std::fs::read_dir(&state.0)
        .unwrap()
        .map(|f| f.unwrap().path())
        .find(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.contains("_imds_") && !n.ends_with(".lock")
        })
        .expect("the IMDS cache file");
    let planted = json!({"version": 1, "access_key": "ASIAPLANTED",
        "secret_key": "PLANTEDSECRET", "session_token": "PLANTEDTOKEN",
        "expiration": 4_102_444_800_i64, "source": "planted"})
    .to_string();
    let elsewhere = TempDir::new("planted-target");
    let target = elsewhere.write("ours", &planted, false);
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
    let plant = |how: &str| {
        let _ = std::fs::remove_file(&cache);
        match how {
            "foreign owner" => {
                std::fs::write(&cache, &planted).unwrap();
                std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o600)).unwrap();
                std::os::unix::fs::chown(&cache, Some(65534), Some(65534)).unwrap();
            }
            "group-writable" | "world-writable" => {
                std::fs::write(&cache, &planted).unwrap();
                let mode = if how == "group-writable" {
                    0o660
                } else {
                    0o606
                };
                std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(mode)).unwrap();
            }
            "symbolic link" => std::os::unix::fs::symlink(&target, &cache).unwrap(),
            "hard link" => std::fs::hard_link(&target, &cache).unwrap(),
            _ => unreachable!(),
        }
    };
    let puts_before = || s.requests().iter().filter(|q| q.method == "PUT").count();
    for (how, why) in [
        ("foreign owner", "owned by uid 65534"),
        ("group-writable", "writable by others"),
        ("world-writable", "writable by others"),
        ("symbolic link", "symbolic link"),
        ("hard link", "hard link"),
    ] {
        plant(how);
        let puts = puts_before();
        let (r, k) = check(&s, &[&dir, "--debug"], &env);
        assert_eq!(
            (r.code, k.as_deref()),
            (0, Some("ASIAIMDS")),
            "{how}: {}",
            r.stdout
        );
        assert_eq!(puts_before(), puts + 1, "{how}: IMDS asked again");
        assert!(r.stdout.contains(why), "{how}: {}", r.stdout);
        assert!(!r.stdout.contains("PLANTED"), "{how}: {}", r.stdout);
        // What the link pointed at is left as it was.
        assert_eq!(std::fs::read_to_string(&target).unwrap(), planted, "{how}");
    }
    // The plugin's own file, rewritten each time, is used again.
    let puts = puts_before();
    let (r, k) = check(&s, &[&dir], &env);
    assert_eq!(
        (r.code, k.as_deref()),
        (0, Some("ASIAIMDS")),
        "{}",
        r.stdout
    );
    assert_eq!(puts_before(), puts, "the plugin's own cache is trusted");
}
