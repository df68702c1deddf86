"""The credential chain and roles against moto with IAM authentication on.

moto checks every signature and evaluates the caller's policies, and its
AccessDenied names the caller: "User: arn:aws:iam::…:user/e2e-other is
not authorized…" or "…:assumed-role/<role>/<session name>…". So which
credentials the binary picked is observable from outside, by the identity
moto saw. The users and roles (conftest.moto_iam):

  e2e-user     cloudtrail:*, s3:*, sts:AssumeRole
  e2e-assumer  sts:AssumeRole only: a CloudTrail call that works was made
               with a role's credentials
  e2e-noperm, e2e-other   no policy at all
  e2e-reader   role: cloudtrail:GetTrailStatus
  e2e-noperm-role   role without policy: its AccessDenied shows the
               session name
"""

import sys

import pytest

from conftest import ACCOUNT, REGION

OK_LINE = "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\n"
CRITICAL_LINE = "CRITICAL: Trail is logging: 0 | 'trail_is_logging'=0;;;0;\n"
OK_10 = "OK: Number of events: 10.00 | 'events_count'=10.00;;;0;\n"
DEAD = "http://127.0.0.1:9"  # nothing listens there
ONE_ATTEMPT = {"AWS_MAX_ATTEMPTS": "1"}


def user(name):
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


def session(role, name):
    return f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{name}"


def denied(identity):
    return (f"UNKNOWN: GetTrailStatus failed: AccessDenied: User: {identity} "
            "is not authorized to perform: cloudtrail:GetTrailStatus \n")


def status_args(moto, trail, *extra, region=REGION, endpoint=True):
    a = ["--mode=checktrailstatus", f"--trail-name={trail}", "--timeout=20", *extra]
    if endpoint:
        a.append(f"--endpoint-url={moto.url}")
    if region:
        a.append(f"--region={region}")
    return a


def env_keys(keys):
    return {"AWS_ACCESS_KEY_ID": keys.access_key, "AWS_SECRET_ACCESS_KEY": keys.secret_key}


def assert_run(run, stdout, rc):
    assert (run.stdout, run.rc) == (stdout, rc), str(run)


@pytest.fixture
def trail(moto_iam):
    name, _ = moto_iam.new_trail(logging=True)
    return name


# --------------------------------------------------------------------------
# --aws-role-arn


def test_assumer_alone_is_denied(plugin, moto_iam, trail):
    # The baseline: the assumer's own keys may not read trails.
    run = plugin(*moto_iam.assumer.args(), *status_args(moto_iam, trail))
    assert_run(run, denied(user("e2e-assumer")), 3)


def test_role_with_sts_endpoint_option(plugin, moto_iam, trail):
    role = [f"--aws-role-arn={moto_iam.role_arn}", f"--sts-endpoint-url={moto_iam.url}"]
    run = plugin(*moto_iam.assumer.args(), *status_args(moto_iam, trail, *role))
    assert_run(run, OK_LINE, 0)
    moto_iam.client("cloudtrail").stop_logging(Name=trail)
    run = plugin(*moto_iam.assumer.args(), *status_args(moto_iam, trail, *role))
    assert_run(run, CRITICAL_LINE, 2)


@pytest.mark.parametrize("var", ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"])
def test_role_with_sts_endpoint_from_environment(plugin, moto_iam, trail, var):
    run = plugin(*moto_iam.assumer.args(), *status_args(moto_iam, trail, f"--aws-role-arn={moto_iam.role_arn}"),
                 env={var: moto_iam.url})
    assert_run(run, OK_LINE, 0)


def test_sts_endpoint_precedence(plugin, moto_iam, trail):
    role = f"--aws-role-arn={moto_iam.role_arn}"
    # option > AWS_ENDPOINT_URL_STS > AWS_ENDPOINT_URL: the losers point
    # where nothing listens.
    run = plugin(*moto_iam.assumer.args(), *status_args(moto_iam, trail, role, f"--sts-endpoint-url={moto_iam.url}"),
                 env={"AWS_ENDPOINT_URL_STS": DEAD, "AWS_ENDPOINT_URL": DEAD})
    assert_run(run, OK_LINE, 0)
    run = plugin(*moto_iam.assumer.args(), *status_args(moto_iam, trail, role),
                 env={"AWS_ENDPOINT_URL_STS": moto_iam.url, "AWS_ENDPOINT_URL": DEAD})
    assert_run(run, OK_LINE, 0)
    # And the loser really is a dead end.
    run = plugin(*moto_iam.assumer.args(), *status_args(moto_iam, trail, role),
                 env={"AWS_ENDPOINT_URL_STS": DEAD, **ONE_ATTEMPT})
    assert run.rc == 3 and run.stdout.startswith("UNKNOWN: AssumeRole failed: "), str(run)


def test_cloudtrail_endpoint_precedence(plugin, moto_iam, trail):
    keys = moto_iam.user.args()
    run = plugin(*keys, *status_args(moto_iam, trail, endpoint=False),
                 env={"AWS_ENDPOINT_URL_CLOUDTRAIL": moto_iam.url, "AWS_ENDPOINT_URL": DEAD})
    assert_run(run, OK_LINE, 0)
    run = plugin(*keys, *status_args(moto_iam, trail, endpoint=False), env={"AWS_ENDPOINT_URL": moto_iam.url})
    assert_run(run, OK_LINE, 0)
    run = plugin(*keys, *status_args(moto_iam, trail),
                 env={"AWS_ENDPOINT_URL_CLOUDTRAIL": DEAD, "AWS_ENDPOINT_URL": DEAD})
    assert_run(run, OK_LINE, 0)
    run = plugin(*keys, *status_args(moto_iam, trail, endpoint=False),
                 env={"AWS_ENDPOINT_URL_CLOUDTRAIL": moto_iam.url, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true",
                      **ONE_ATTEMPT})
    # Ignored: the public endpoint, which the sandbox cannot reach.
    assert run.rc == 3 and run.stdout.startswith("UNKNOWN: GetTrailStatus failed: "), str(run)


def test_one_aws_endpoint_url_serves_both(plugin, moto_iam, trail):
    run = plugin(*moto_iam.assumer.args(), *status_args(moto_iam, trail, f"--aws-role-arn={moto_iam.role_arn}",
                                                         endpoint=False),
                 env={"AWS_ENDPOINT_URL": moto_iam.url})
    assert_run(run, OK_LINE, 0)


def test_default_session_name_is_upstreams(plugin, moto_iam, trail):
    run = plugin(*moto_iam.assumer.args(),
                 *status_args(moto_iam, trail, f"--aws-role-arn={moto_iam.noperm_role_arn}",
                              f"--sts-endpoint-url={moto_iam.url}"))
    assert_run(run, denied(session("e2e-noperm-role", "centreon-plugins")), 3)


def test_session_name_option(plugin, moto_iam, trail):
    run = plugin(*moto_iam.assumer.args(),
                 *status_args(moto_iam, trail, f"--aws-role-arn={moto_iam.noperm_role_arn}",
                              f"--sts-endpoint-url={moto_iam.url}", "--aws-role-session-name=nagios-e2e"))
    assert_run(run, denied(session("e2e-noperm-role", "nagios-e2e")), 3)


def test_external_id_and_duration_are_accepted(plugin, moto_iam, trail):
    run = plugin(*moto_iam.assumer.args(),
                 *status_args(moto_iam, trail, f"--aws-role-arn={moto_iam.role_arn}",
                              f"--sts-endpoint-url={moto_iam.url}", "--aws-external-id=e2e-external",
                              "--aws-role-duration=900"))
    assert_run(run, OK_LINE, 0)


def test_assume_role_refused(plugin, moto_iam, trail):
    run = plugin(*moto_iam.noperm.args(),
                 *status_args(moto_iam, trail, f"--aws-role-arn={moto_iam.role_arn}",
                              f"--sts-endpoint-url={moto_iam.url}"))
    assert run.rc == 3, str(run)
    assert run.stdout.startswith(
        f"UNKNOWN: AssumeRole failed: AccessDenied: User: {user('e2e-noperm')} "
        "is not authorized to perform: sts:AssumeRole"), str(run)
    assert moto_iam.noperm.secret_key not in run.stdout + run.stderr


def test_role_on_top_of_environment_keys(plugin, moto_iam, trail):
    run = plugin(*status_args(moto_iam, trail, f"--aws-role-arn={moto_iam.role_arn}",
                              f"--sts-endpoint-url={moto_iam.url}"),
                 env=env_keys(moto_iam.assumer))
    assert_run(run, OK_LINE, 0)


def test_role_on_top_of_flags_not_environment(plugin, moto_iam, trail):
    # The noperm user could not assume the role: the flags' keys did.
    run = plugin(*moto_iam.assumer.args(),
                 *status_args(moto_iam, trail, f"--aws-role-arn={moto_iam.role_arn}",
                              f"--sts-endpoint-url={moto_iam.url}"),
                 env=env_keys(moto_iam.noperm))
    assert_run(run, OK_LINE, 0)


def test_countevents_with_assumed_role(plugin, moto_iam, fake_cloudtrail):
    # The role from moto's STS, then LookupEvents at fake_cloudtrail.py,
    # signed with the temporary keys and their session token.
    run = plugin(*moto_iam.assumer.args(), f"--aws-role-arn={moto_iam.role_arn}",
                 f"--sts-endpoint-url={moto_iam.url}", f"--region={REGION}",
                 f"--endpoint-url={fake_cloudtrail.url}", "--mode=countevents", "--timeout=20", "--debug")
    assert run.rc == 0 and run.stdout.startswith(OK_10), str(run)
    reqs = fake_cloudtrail.requests()
    assert len(reqs) == 3
    keys, tokens = set(), set()
    for r in reqs:
        h = {k.lower(): v for k, v in r["headers"]}
        keys.add(h["authorization"].split("Credential=", 1)[1].split("/", 1)[0])
        tokens.add(h.get("x-amz-security-token"))
    assert len(keys) == 1 and len(tokens) == 1, (keys, tokens)
    key, token = keys.pop(), tokens.pop()
    assert key.startswith("ASIA") and key != moto_iam.assumer.access_key, key
    assert token, "no X-Amz-Security-Token"
    everything = run.stdout + run.stderr
    assert f"access key {key} from role {moto_iam.role_arn}" in everything, everything
    for secret in (token, moto_iam.assumer.secret_key):
        assert secret not in everything


# --------------------------------------------------------------------------
# Profiles: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE


@pytest.fixture
def profiles(tmp_path, moto_iam):
    """A config and a credentials file with every kind of profile, and the
    environment that points at them (STS at moto)."""
    token = tmp_path / "web-identity-token"
    token.write_text("eyJhbGciOiJSUzI1NiJ9.e2e.token\n")
    process = tmp_path / "credential-process.py"
    process.write_text(
        "import json\n"
        f"print(json.dumps({{'Version': 1, 'AccessKeyId': {moto_iam.user.access_key!r}, "
        f"'SecretAccessKey': {moto_iam.user.secret_key!r}}}))\n"
    )
    config = tmp_path / "config"
    config.write_text(f"""\
[default]
region = {REGION}

[profile mon]
role_arn = {moto_iam.role_arn}
source_profile = base
region = {REGION}

[profile mon-noperm]
role_arn = {moto_iam.noperm_role_arn}
source_profile = base
role_session_name = from-profile

[profile chained]
role_arn = {moto_iam.role_arn}
source_profile = middle

[profile middle]
source_profile = base
role_arn = {moto_iam.noperm_role_arn}

[profile wi]
role_arn = {moto_iam.role_arn}
web_identity_token_file = {token}

[profile proc]
credential_process = {sys.executable} {process}

[profile loop-a]
role_arn = {moto_iam.role_arn}
source_profile = loop-b

[profile loop-b]
role_arn = {moto_iam.role_arn}
source_profile = loop-a
""")
    credentials = tmp_path / "credentials"
    credentials.write_text(f"""\
[base]
aws_access_key_id = {moto_iam.assumer.access_key}
aws_secret_access_key = {moto_iam.assumer.secret_key}

[other]
aws_access_key_id = {moto_iam.other.access_key}
aws_secret_access_key = {moto_iam.other.secret_key}

[user]
aws_access_key_id = {moto_iam.user.access_key}
aws_secret_access_key = {moto_iam.user.secret_key}
""")
    return {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
            "AWS_ENDPOINT_URL_STS": moto_iam.url}


def test_profile_role_with_source_profile(plugin, moto_iam, trail, profiles):
    run = plugin(*status_args(moto_iam, trail), env={**profiles, "AWS_PROFILE": "mon"})
    assert_run(run, OK_LINE, 0)
    run = plugin("--aws-profile=mon", *status_args(moto_iam, trail), env=profiles)
    assert_run(run, OK_LINE, 0)


def test_profile_gives_the_region(plugin, moto_iam, trail, profiles):
    run = plugin("--aws-profile=mon", *status_args(moto_iam, trail, region=None), env=profiles)
    assert_run(run, OK_LINE, 0)


def test_profile_role_session_name(plugin, moto_iam, trail, profiles):
    run = plugin("--aws-profile=mon-noperm", *status_args(moto_iam, trail), env=profiles)
    assert_run(run, denied(session("e2e-noperm-role", "from-profile")), 3)


def test_profile_role_chain(plugin, moto_iam, trail, profiles):
    # chained -> middle (a role without policy, assumed with base's keys)
    # -> e2e-reader assumed with middle's credentials. moto refuses the
    # second step (middle has no sts:AssumeRole), naming middle's session:
    # proof that the chain was followed in order.
    run = plugin("--aws-profile=chained", *status_args(moto_iam, trail), env=profiles)
    assert run.rc == 3, str(run)
    assert run.stdout.startswith("UNKNOWN: AssumeRole failed: AccessDenied: User: "
                                 f"{session('e2e-noperm-role', '')}"), str(run)


def test_profile_source_profile_loop(plugin, moto_iam, trail, profiles):
    run = plugin("--aws-profile=loop-a", *status_args(moto_iam, trail), env=profiles)
    assert run.rc == 3 and "loop" in run.stdout and "loop-a" in run.stdout, str(run)


def test_profile_static_keys(plugin, moto_iam, trail, profiles):
    run = plugin("--aws-profile=other", *status_args(moto_iam, trail), env=profiles)
    assert_run(run, denied(user("e2e-other")), 3)
    run = plugin("--aws-profile=user", *status_args(moto_iam, trail), env=profiles)
    assert_run(run, OK_LINE, 0)


def test_profile_credential_process(plugin, moto_iam, trail, profiles):
    run = plugin("--aws-profile=proc", *status_args(moto_iam, trail), env=profiles)
    assert_run(run, OK_LINE, 0)


def test_profile_web_identity(plugin, moto_iam, trail, profiles):
    with moto_iam.unauthenticated(1):
        run = plugin("--aws-profile=wi", *status_args(moto_iam, trail), env=profiles)
    assert_run(run, OK_LINE, 0)


def test_missing_profile(plugin, moto_iam, trail, profiles):
    run = plugin("--aws-profile=nope", *status_args(moto_iam, trail), env=profiles)
    assert run.rc == 3 and "'nope'" in run.stdout and "not found" in run.stdout, str(run)


# --------------------------------------------------------------------------
# Web identity from the environment


@pytest.fixture
def token_file(tmp_path):
    p = tmp_path / "token"
    p.write_text("eyJhbGciOiJSUzI1NiJ9.e2e.token")
    return p


def test_web_identity_from_environment(plugin, moto_iam, trail, token_file):
    env = {"AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file), "AWS_ROLE_ARN": moto_iam.role_arn,
           "AWS_ENDPOINT_URL_STS": moto_iam.url}
    with moto_iam.unauthenticated(1):
        run = plugin(*status_args(moto_iam, trail), env=env)
    assert_run(run, OK_LINE, 0)


def test_web_identity_session_name(plugin, moto_iam, trail, token_file):
    env = {"AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file), "AWS_ROLE_ARN": moto_iam.noperm_role_arn,
           "AWS_ROLE_SESSION_NAME": "wi-e2e", "AWS_ENDPOINT_URL_STS": moto_iam.url}
    with moto_iam.unauthenticated(1):
        run = plugin(*status_args(moto_iam, trail), env=env)
    assert_run(run, denied(session("e2e-noperm-role", "wi-e2e")), 3)


def test_web_identity_missing_token_file(plugin, moto_iam, trail, tmp_path):
    missing = tmp_path / "no-token"
    env = {"AWS_WEB_IDENTITY_TOKEN_FILE": str(missing), "AWS_ROLE_ARN": moto_iam.role_arn,
           "AWS_ENDPOINT_URL_STS": moto_iam.url}
    run = plugin(*status_args(moto_iam, trail), env=env)
    assert run.rc == 3 and str(missing) in run.stdout, str(run)


# --------------------------------------------------------------------------
# Precedence: flags > environment > profile > web identity


@pytest.fixture
def default_is_other(tmp_path, moto_iam):
    """A credentials file whose [default] profile holds e2e-other's keys."""
    credentials = tmp_path / "credentials"
    credentials.write_text(f"[default]\naws_access_key_id = {moto_iam.other.access_key}\n"
                           f"aws_secret_access_key = {moto_iam.other.secret_key}\n")
    return {"AWS_SHARED_CREDENTIALS_FILE": str(credentials)}


def test_flags_beat_environment_and_profile(plugin, moto_iam, trail, default_is_other):
    run = plugin(*moto_iam.user.args(), *status_args(moto_iam, trail),
                 env={**env_keys(moto_iam.noperm), **default_is_other})
    assert_run(run, OK_LINE, 0)


def test_environment_beats_profile(plugin, moto_iam, trail, default_is_other):
    run = plugin(*status_args(moto_iam, trail), env={**env_keys(moto_iam.noperm), **default_is_other})
    assert_run(run, denied(user("e2e-noperm")), 3)


def test_default_profile_alone(plugin, moto_iam, trail, default_is_other):
    run = plugin(*status_args(moto_iam, trail), env=default_is_other)
    assert_run(run, denied(user("e2e-other")), 3)


def test_aws_profile_variable_picks_the_profile(plugin, moto_iam, trail, profiles):
    run = plugin(*status_args(moto_iam, trail), env={**profiles, "AWS_PROFILE": "other"})
    assert_run(run, denied(user("e2e-other")), 3)


def test_explicit_profile_skips_environment_keys(plugin, moto_iam, trail, profiles):
    run = plugin("--aws-profile=other", *status_args(moto_iam, trail),
                 env={**profiles, **env_keys(moto_iam.user)})
    assert_run(run, denied(user("e2e-other")), 3)


def test_profile_beats_web_identity(plugin, moto_iam, trail, default_is_other, token_file):
    # No unauthenticated window: had the binary gone to STS, moto would
    # have answered 500 to the unsigned call.
    env = {**default_is_other, "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
           "AWS_ROLE_ARN": moto_iam.role_arn, "AWS_ENDPOINT_URL_STS": moto_iam.url}
    run = plugin(*status_args(moto_iam, trail), env=env)
    assert_run(run, denied(user("e2e-other")), 3)


def test_environment_keys_beat_web_identity(plugin, moto_iam, trail, token_file):
    env = {**env_keys(moto_iam.noperm), "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
           "AWS_ROLE_ARN": moto_iam.role_arn, "AWS_ENDPOINT_URL_STS": moto_iam.url}
    run = plugin(*status_args(moto_iam, trail), env=env)
    assert_run(run, denied(user("e2e-noperm")), 3)


def test_nothing_at_all(plugin, moto_iam, trail):
    run = plugin(*status_args(moto_iam, trail))
    assert run.rc == 3, str(run)
    assert run.stdout.startswith("UNKNOWN: ") and "AWS_EC2_METADATA_DISABLED" in run.stdout, str(run)


def test_secrets_never_printed(plugin, moto_iam, trail, profiles):
    run = plugin("--aws-profile=mon", *status_args(moto_iam, trail, "--debug"), env=profiles)
    assert run.rc == 0 and run.stdout.startswith(OK_LINE), str(run)
    everything = run.stdout + run.stderr
    assert "AssumeRole" in everything
    assert moto_iam.assumer.secret_key not in everything
    assert "<SecretAccessKey>" not in everything or "<SecretAccessKey><redacted>" in everything, everything
