//! Secrets, whatever the server echoes: a server (or a program) that
//! quotes a secret back never gets any 8-character piece of it printed,
//! plain, with `--debug` or with `--verbose`.

use crate::util::{PLUGIN, Reply, Run, SECRET, Server, TempDir, form, run_env};

/// A token-shaped secret of `n` characters that repeats no 8-character
/// piece, so that any piece found in the output is a leak.
fn token(seed: u64, n: usize) -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            B64[(x >> 58) as usize] as char
        })
        .collect()
}

fn assert_no_piece(r: &Run, secret: &str, what: &str) {
    let chars: Vec<char> = secret.chars().collect();
    for w in chars.windows(8) {
        let piece: String = w.iter().collect();
        assert!(
            !r.stdout.contains(&piece),
            "{what}: '{piece}' of it is printed:\n{}",
            r.stdout
        );
    }
}

/// Runs `args` plain, with --debug and with --verbose.
fn three_ways(args: &[&str], env: &[(&str, &str)]) -> Vec<Run> {
    ["", "--debug", "--verbose"]
        .iter()
        .map(|extra| {
            let mut all = vec![
                PLUGIN,
                "--region=eu-west-1",
                "--mode=checktrailstatus",
                "--trail-name=t",
            ];
            all.extend_from_slice(args);
            if !extra.is_empty() {
                all.push(extra);
            }
            run_env(&all, env)
        })
        .collect()
}

/// An 800-character session token quoted back in an error message: it
/// used to be cut to 300 characters first, then not recognised, so 150
/// characters of it were printed.
#[test]
fn long_session_token_echoed_in_an_error() {
    let session = token(1, 800);
    let s = Server::start(|q| {
        let t = q.header("x-amz-security-token").unwrap_or("").to_owned();
        Reply::aws_error(
            400,
            "UnrecognizedClientException",
            &format!("The security token included in the request is invalid: {t}"),
        )
    });
    let url = format!("--endpoint-url={}", s.url("/"));
    let sk = format!("--aws-secret-key={SECRET}");
    let st = format!("--aws-session-token={session}");
    for r in three_ways(&["--aws-access-key=ASIAEXAMPLE", &sk, &st, &url], &[]) {
        assert_eq!(r.code, 3, "{}", r.stdout);
        assert!(
            r.line().contains("UnrecognizedClientException"),
            "{}",
            r.stdout
        );
        assert_no_piece(&r, &session, "the session token");
        assert_no_piece(&r, SECRET, "the secret key");
    }
}

/// The signature of the request, echoed by the server in its message and
/// in a query-style URL.
#[test]
fn signature_echoed_back() {
    let s = Server::start(|q| {
        let auth = q.header("authorization").unwrap_or("").to_owned();
        let sig = auth.rsplit("Signature=").next().unwrap_or("").to_owned();
        Reply::aws_error(
            403,
            "SignatureDoesNotMatch",
            &format!("we got {auth} (see https://x/?X-Amz-Signature={sig}&a=b)"),
        )
    });
    let url = format!("--endpoint-url={}", s.url("/"));
    let sk = format!("--aws-secret-key={SECRET}");
    for r in three_ways(&["--aws-access-key=AKIDEXAMPLE", &sk, &url], &[]) {
        assert_eq!(r.code, 3, "{}", r.stdout);
        let sent = s.requests();
        let auth = sent
            .last()
            .unwrap()
            .header("authorization")
            .unwrap()
            .to_owned();
        let sig = auth.rsplit("Signature=").next().unwrap();
        assert_eq!(sig.len(), 64);
        assert_no_piece(&r, sig, "the signature");
        assert!(r.stdout.contains("Signature=<redacted>"), "{}", r.stdout);
    }
}

/// STS quotes the web identity token back, bare and as the form field.
#[test]
fn web_identity_token_quoted_by_sts() {
    let jwt = format!("eyJ{}", token(2, 600));
    let s = Server::start(|q| {
        let f = form(q);
        let t = f.get("WebIdentityToken").cloned().unwrap_or_default();
        Reply {
            status: 400,
            headers: vec![("content-type".into(), "text/xml".into())],
            body: format!(
                "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>Bad token {t} \
                 in WebIdentityToken={t}&amp;Version=2011-06-15</Message></Error></ErrorResponse>"
            )
            .into_bytes(),
        }
    });
    let dir = TempDir::new("webid-echo");
    let file = dir.write("token", &format!("{jwt}\n"), false);
    let url = s.url("/");
    let sts = format!("--sts-endpoint-url={url}");
    let endpoint = format!("--endpoint-url={url}");
    let env = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", file.as_str()),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/Pod"),
    ];
    for r in three_ways(&[&sts, &endpoint], &env) {
        assert_eq!(r.code, 3, "{}", r.stdout);
        assert!(r.line().contains("InvalidIdentityToken"), "{}", r.stdout);
        assert_no_piece(&r, &jwt, "the web identity token");
    }
}

/// A password in an endpoint or proxy URL, in errors about that URL.
#[test]
fn url_passwords_are_not_quoted() {
    let password = "S3cr3tPassw0rdX";
    let s = Server::start(|_| Reply::aws_error(400, "X", "y"));
    let sk = format!("--aws-secret-key={SECRET}");
    let endpoint = format!("--endpoint-url={}", s.url("/"));
    let cases: [(String, Vec<(&str, String)>); 5] = [
        (
            format!("--endpoint-url=http://admin:{password}@127.0.0.1:9/"),
            vec![],
        ),
        (
            format!("--endpoint-url=http://admin:{password}@127.0.0.1:x/"),
            vec![],
        ),
        (
            format!("--sts-endpoint-url=https://admin:{password}@sts.invalid/"),
            vec![],
        ),
        (
            format!("--proxyurl=http://admin:{password}@127.0.0.1:3128x"),
            vec![],
        ),
        (
            endpoint.clone(),
            vec![(
                "AWS_ENDPOINT_URL_STS",
                format!("http://admin:{password}@127.0.0.1:1"),
            )],
        ),
    ];
    for (arg, env) in &cases {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let args = ["--aws-access-key=AKIDEXAMPLE", sk.as_str(), arg.as_str()];
        let mut args = args.to_vec();
        if !arg.starts_with("--endpoint-url") {
            args.push(endpoint.as_str());
        }
        for r in three_ways(&args, &env) {
            assert_eq!(r.code, 3, "{arg}: {}", r.stdout);
            assert_no_piece(&r, password, "the URL password");
        }
    }
}

/// `credential_process` failing with a key and a token on its stderr,
/// which the error quotes.
#[test]
fn credential_process_stderr_secrets() {
    let session = token(3, 400);
    let dir = TempDir::new("process-secrets");
    let script = dir.write(
        "creds.sh",
        &format!(
            "#!/bin/sh\necho \"refusing: SecretAccessKey {SECRET} and token {session} are stale\" >&2\nexit 1\n"
        ),
        true,
    );
    let config = dir.write(
        "config",
        &format!("[default]\ncredential_process = {script}\n"),
        false,
    );
    let s = Server::start(|_| Reply::aws_error(400, "X", "y"));
    let endpoint = format!("--endpoint-url={}", s.url("/"));
    for r in three_ways(&[&endpoint], &[("AWS_CONFIG_FILE", config.as_str())]) {
        assert_eq!(r.code, 3, "{}", r.stdout);
        assert!(
            r.line()
                .contains("credential_process exited with code 1: refusing"),
            "{}",
            r.stdout
        );
        assert_no_piece(&r, SECRET, "the secret key");
        assert_no_piece(&r, &session, "the session token");
    }
}
