"""Signed session tokens: a reload keeps a person signed in, but only for a bounded time."""

from datetime import UTC, datetime, timedelta

import pytest

from licensing_core.auth.tokens import InvalidToken, issue_token, new_secret, read_token

SECRET = "a-test-secret-of-enough-length"
NOW = datetime(2026, 6, 15, 12, 0, 0)
HOURS_8 = timedelta(hours=8)


def test_a_fresh_token_names_its_account_and_expiry():
    token = issue_token("ann", SECRET, now=NOW, lifetime=HOURS_8)
    claims = read_token(token, SECRET, now=NOW + timedelta(hours=1))
    assert claims.username == "ann"
    assert claims.expires_at == datetime(2026, 6, 15, 20, 0, tzinfo=UTC)
    assert claims.issued_at == datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def test_a_token_is_refused_once_it_has_expired():
    token = issue_token("ann", SECRET, now=NOW, lifetime=HOURS_8)
    with pytest.raises(InvalidToken, match="expired"):
        read_token(token, SECRET, now=NOW + HOURS_8)


def test_a_token_signed_with_another_secret_is_refused():
    token = issue_token("ann", "another-secret-of-enough-length", now=NOW, lifetime=HOURS_8)
    with pytest.raises(InvalidToken, match="signature"):
        read_token(token, SECRET, now=NOW)


def test_changing_the_username_breaks_the_signature():
    token = issue_token("ann", SECRET, now=NOW, lifetime=HOURS_8)
    forged_body = issue_token("root", SECRET + "x", now=NOW, lifetime=HOURS_8).split(".")[1]
    version, _, mac = token.split(".")
    with pytest.raises(InvalidToken, match="signature"):
        read_token(f"{version}.{forged_body}.{mac}", SECRET, now=NOW)


def test_extending_the_expiry_breaks_the_signature():
    token = issue_token("ann", SECRET, now=NOW, lifetime=HOURS_8)
    longer = issue_token("ann", SECRET + "x", now=NOW, lifetime=timedelta(days=365))
    version, _, mac = token.split(".")
    with pytest.raises(InvalidToken, match="signature"):
        read_token(f"{version}.{longer.split('.')[1]}.{mac}", SECRET, now=NOW + HOURS_8)


@pytest.mark.parametrize("garbage", ["", "v1", "v1.a", "v2.a.b", "v1.!!.x", "x" * 5000,
                                     "v1.a.b.c"])
def test_garbage_is_refused_as_malformed_or_unsigned(garbage):
    with pytest.raises(InvalidToken):
        read_token(garbage, SECRET, now=NOW)


def test_a_token_from_the_future_is_refused_beyond_a_small_clock_skew():
    token = issue_token("ann", SECRET, now=NOW + timedelta(minutes=5), lifetime=HOURS_8)
    with pytest.raises(InvalidToken, match="future"):
        read_token(token, SECRET, now=NOW)
    slightly_ahead = issue_token("ann", SECRET, now=NOW + timedelta(seconds=30), lifetime=HOURS_8)
    assert read_token(slightly_ahead, SECRET, now=NOW).username == "ann"


def test_each_token_has_its_own_id_so_one_can_be_revoked():
    first = read_token(issue_token("ann", SECRET, now=NOW, lifetime=HOURS_8), SECRET, now=NOW)
    second = read_token(issue_token("ann", SECRET, now=NOW, lifetime=HOURS_8), SECRET, now=NOW)
    assert first.token_id != second.token_id


def test_a_token_carries_the_id_of_its_sign_in():
    token = issue_token("ann", SECRET, now=NOW, lifetime=HOURS_8, token_id="sign-in-42")
    assert read_token(token, SECRET, now=NOW).token_id == "sign-in-42"


def test_aware_and_naive_utc_times_mean_the_same_instant():
    token = issue_token("ann", SECRET, now=NOW.replace(tzinfo=UTC), lifetime=HOURS_8)
    assert read_token(token, SECRET, now=NOW).username == "ann"


def test_a_short_secret_or_a_non_positive_lifetime_is_a_programming_error():
    with pytest.raises(ValueError):
        issue_token("ann", "short", now=NOW, lifetime=HOURS_8)
    with pytest.raises(ValueError):
        issue_token("ann", SECRET, now=NOW, lifetime=timedelta(0))


def test_new_secrets_are_long_and_different():
    first, second = new_secret(), new_secret()
    assert first != second and len(first) >= 40
