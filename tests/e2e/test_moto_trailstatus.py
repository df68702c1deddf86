"""checktrailstatus against moto with IAM authentication on.

moto recomputes each request's SigV4 signature with the caller's secret
(botocore underneath) and answers XML errors; so a run that passes here was
signed right, and a wrong secret must come back as SignatureDoesNotMatch.
"""

import pytest

from conftest import ACCOUNT, REGION, Keys

OK_LINE = "OK: Trail is logging: 1 | 'trail_is_logging'=1;;;0;\n"
CRITICAL_LINE = "CRITICAL: Trail is logging: 0 | 'trail_is_logging'=0;;;0;\n"

# moto's messages (moto/core/exceptions.py), which the plugin passes on.
SIGNATURE_MESSAGE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
INVALID_TOKEN_MESSAGE = "The security token included in the request is invalid."


def status_args(moto, trail, region=REGION):
    args = ["--custommode=paws", f"--endpoint-url={moto.url}", "--mode=checktrailstatus",
            f"--trail-name={trail}", "--timeout=20"]
    if region is not None:
        args.append(f"--region={region}")
    return args


def unknown(detail):
    """Upstream's failure line: UNKNOWN, the reason, a space, a newline."""
    return f"UNKNOWN: {detail} \n"


def assert_run(run, stdout, rc):
    assert (run.stdout, run.rc) == (stdout, rc), str(run)


@pytest.fixture
def assumed(moto_iam):
    """Temporary credentials from STS AssumeRole (role allowed GetTrailStatus)."""
    sts = moto_iam.client("sts")
    c = sts.assume_role(RoleArn=moto_iam.role_arn, RoleSessionName="e2e-session")["Credentials"]
    assert c["AccessKeyId"].startswith("ASIA")
    return Keys(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])


def test_logging_trail_is_ok(plugin, moto_iam):
    name, _ = moto_iam.new_trail(logging=True)
    run = plugin(*moto_iam.user.args(), *status_args(moto_iam, name))
    assert_run(run, OK_LINE, 0)
    assert run.stderr == ""


def test_stopped_trail_is_critical_and_recovers(plugin, moto_iam):
    name, _ = moto_iam.new_trail(logging=True)
    ct = moto_iam.client("cloudtrail")
    ct.stop_logging(Name=name)
    assert_run(plugin(*moto_iam.user.args(), *status_args(moto_iam, name)), CRITICAL_LINE, 2)
    ct.start_logging(Name=name)
    assert_run(plugin(*moto_iam.user.args(), *status_args(moto_iam, name)), OK_LINE, 0)


def test_never_started_trail_is_critical(plugin, moto_iam):
    name, _ = moto_iam.new_trail(logging=False)
    assert_run(plugin(*moto_iam.user.args(), *status_args(moto_iam, name)), CRITICAL_LINE, 2)


def test_trail_arn_as_name(plugin, moto_iam):
    name, arn = moto_iam.new_trail(logging=True)
    assert arn == f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{name}"
    assert_run(plugin(*moto_iam.user.args(), *status_args(moto_iam, arn)), OK_LINE, 0)
    moto_iam.client("cloudtrail").stop_logging(Name=arn)
    assert_run(plugin(*moto_iam.user.args(), *status_args(moto_iam, arn)), CRITICAL_LINE, 2)


def test_trail_arn_gives_the_region(plugin, moto_iam):
    # No --region: the plugin takes it from the ARN and signs for it.
    name, arn = moto_iam.new_trail(logging=True)
    assert_run(plugin(*moto_iam.user.args(), *status_args(moto_iam, arn, region=None)), OK_LINE, 0)


def test_wrong_secret_key_is_signature_mismatch(plugin, moto_iam):
    name, _ = moto_iam.new_trail(logging=True)
    bad = Keys(moto_iam.user.access_key, moto_iam.user.secret_key[:-1] + ("Y" if moto_iam.user.secret_key.endswith("X") else "X"))
    run = plugin(*bad.args(), *status_args(moto_iam, name))
    assert run.stdout.startswith("UNKNOWN: GetTrailStatus failed: SignatureDoesNotMatch: "), str(run)
    assert_run(run, unknown(f"GetTrailStatus failed: SignatureDoesNotMatch: {SIGNATURE_MESSAGE}"), 3)
    assert bad.secret_key not in run.stdout + run.stderr


def test_unknown_access_key(plugin, moto_iam):
    name, _ = moto_iam.new_trail(logging=True)
    run = plugin(*Keys("AKIAE2EUNKNOWNKEY000", "whatever").args(), *status_args(moto_iam, name))
    assert_run(run, unknown(f"GetTrailStatus failed: InvalidClientTokenId: {INVALID_TOKEN_MESSAGE}"), 3)


def test_unknown_trail(plugin, moto_iam):
    run = plugin(*moto_iam.user.args(), *status_args(moto_iam, "no-such-trail"))
    arn = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/no-such-trail"
    assert run.stdout.startswith("UNKNOWN: GetTrailStatus failed: TrailNotFoundException: "), str(run)
    assert_run(
        run,
        unknown(f"GetTrailStatus failed: TrailNotFoundException: Unknown trail: {arn} for the user: {ACCOUNT}"),
        3,
    )


def test_trail_of_another_region_is_not_found(plugin, moto_iam):
    # The region is part of what is signed and where moto looks.
    name, _ = moto_iam.new_trail(logging=True)
    run = plugin(*moto_iam.user.args(), *status_args(moto_iam, name, region="us-east-1"))
    assert run.stdout.startswith("UNKNOWN: GetTrailStatus failed: TrailNotFoundException: "), str(run)
    assert run.rc == 3


def test_user_without_permission_is_denied(plugin, moto_iam):
    name, _ = moto_iam.new_trail(logging=True)
    run = plugin(*moto_iam.noperm.args(), *status_args(moto_iam, name))
    assert_run(
        run,
        unknown(
            "GetTrailStatus failed: AccessDenied: "
            f"User: arn:aws:iam::{ACCOUNT}:user/e2e-noperm is not authorized to perform: "
            "cloudtrail:GetTrailStatus"
        ),
        3,
    )


def test_credentials_from_environment(plugin, moto_iam):
    name, _ = moto_iam.new_trail(logging=True)
    env = {
        "AWS_ACCESS_KEY_ID": moto_iam.user.access_key,
        "AWS_SECRET_ACCESS_KEY": moto_iam.user.secret_key,
    }
    assert_run(plugin(*status_args(moto_iam, name), env=env), OK_LINE, 0)


def test_session_token_is_sent_and_signed(plugin, moto_iam, assumed):
    # moto looks up ASIA keys among the assumed roles and requires the
    # X-Amz-Security-Token header to be that session's token.
    name, _ = moto_iam.new_trail(logging=True)
    assert_run(plugin(*assumed.args(), *status_args(moto_iam, name)), OK_LINE, 0)

    moto_iam.client("cloudtrail").stop_logging(Name=name)
    assert_run(plugin(*assumed.args(), *status_args(moto_iam, name)), CRITICAL_LINE, 2)

    no_token = Keys(assumed.access_key, assumed.secret_key)
    run = plugin(*no_token.args(), *status_args(moto_iam, name))
    assert_run(run, unknown(f"GetTrailStatus failed: InvalidClientTokenId: {INVALID_TOKEN_MESSAGE}"), 3)

    wrong_token = Keys(assumed.access_key, assumed.secret_key, assumed.token[:-4] + "AAAA")
    run = plugin(*wrong_token.args(), *status_args(moto_iam, name))
    assert_run(run, unknown(f"GetTrailStatus failed: InvalidClientTokenId: {INVALID_TOKEN_MESSAGE}"), 3)


def test_session_token_from_environment(plugin, moto_iam, assumed):
    name, _ = moto_iam.new_trail(logging=True)
    env = {
        "AWS_ACCESS_KEY_ID": assumed.access_key,
        "AWS_SECRET_ACCESS_KEY": assumed.secret_key,
        "AWS_SESSION_TOKEN": assumed.token,
    }
    assert_run(plugin(*status_args(moto_iam, name), env=env), OK_LINE, 0)


def test_role_is_limited_to_its_policy(plugin, moto_iam, assumed):
    # Sanity check of the moto setup itself: the role's credentials are
    # really evaluated against the role's policy.
    with pytest.raises(Exception, match="AccessDenied"):
        moto_iam.client("cloudtrail", assumed).describe_trails()


def test_debug_never_shows_secrets(plugin, moto_iam, assumed):
    name, _ = moto_iam.new_trail(logging=True)
    run = plugin(*assumed.args(), *status_args(moto_iam, name), "--debug")
    assert run.rc == 0, str(run)
    assert run.stdout.startswith(OK_LINE), str(run)
    everything = run.stdout + run.stderr
    assert "GetTrailStatus" in everything  # the trace is there...
    for secret in (assumed.secret_key, assumed.token):
        assert secret not in everything  # ...without the secrets
    signature = [ln for ln in everything.splitlines() if "Signature=" in ln]
    assert signature and all("Signature=<redacted>" in ln for ln in signature), everything
