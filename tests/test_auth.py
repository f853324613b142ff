"""X-Aggregator-Key authentication: errors, disabled aggregators, expiry, the bcrypt cache and
the per-prefix failure limit (SPEC section 2, 7)."""

import bcrypt as real_bcrypt
import pytest

from common import keys as keys_module
from common.db import database
from common.models import ApiKey, utcnow
from tests.conftest import make_aggregator

ME = "/api/v1/bo/aggregator/me"
KEYS = "/api/v1/bo/aggregator/api-keys"
ADMIN_AGGREGATORS = "/api/v1/bo/aggregators"


def headers_for(api_key):
    return {"X-Aggregator-Key": api_key}


def prefix_of(api_key):
    return api_key.split(".", 1)[0]


def secret_of(api_key):
    return api_key.split(".", 1)[1]


def assert_error(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json
    assert set(body) == {"error"}
    assert set(body["error"]) >= {"code", "message"}
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


def wrong_secret(api_key, n=0):
    """A well-formed secret of the same length that is not the right one."""
    secret = secret_of(api_key)
    candidate = f"{n:04d}" + secret[4:]
    assert candidate != secret
    return f"{prefix_of(api_key)}.{candidate}"


class CountingBcrypt:
    """Stands in for the bcrypt module inside common.keys and counts checkpw calls."""

    def __init__(self):
        self.checkpw_calls = 0

    def checkpw(self, password, hashed):
        self.checkpw_calls += 1
        return real_bcrypt.checkpw(password, hashed)

    def __getattr__(self, name):
        return getattr(real_bcrypt, name)


@pytest.fixture
def spy(monkeypatch):
    counting = CountingBcrypt()
    monkeypatch.setattr(keys_module, "bcrypt", counting)
    return counting


# --- missing and malformed keys -------------------------------------------------------------


def test_missing_header_is_401(client, aggregator):
    error = assert_error(client.get(ME), 401, "missing_api_key")
    assert "X-Aggregator-Key" in error["message"]


def test_empty_header_is_401(client, aggregator):
    assert_error(client.get(ME, headers={"X-Aggregator-Key": ""}), 401)


@pytest.mark.parametrize(
    "make_key",
    [
        pytest.param(lambda k: k.replace(".", ""), id="no-dot"),
        pytest.param(lambda k: prefix_of(k).upper() + "." + secret_of(k), id="uppercase-prefix"),
        pytest.param(lambda k: prefix_of(k)[:11] + "." + secret_of(k), id="short-prefix"),
        pytest.param(lambda k: prefix_of(k) + "0." + secret_of(k), id="long-prefix"),
        pytest.param(lambda k: prefix_of(k) + ".", id="empty-secret"),
        pytest.param(lambda k: "." + secret_of(k), id="empty-prefix"),
        pytest.param(lambda k: wrong_secret(k), id="wrong-secret"),
        pytest.param(lambda k: "0123456789ab." + secret_of(k), id="unknown-prefix"),
        pytest.param(lambda k: k + ".extra", id="two-dots"),
        pytest.param(lambda k: " " + k, id="leading-space"),
        pytest.param(lambda k: k[:-1], id="truncated-secret"),
        pytest.param(lambda k: k + "A", id="secret-with-suffix"),
        pytest.param(lambda k: prefix_of(k) + "." + secret_of(k) + "%", id="bad-char"),
        pytest.param(lambda k: "not a key at all", id="garbage"),
    ],
)
def test_malformed_or_wrong_keys_are_401(client, aggregator, make_key):
    bad = make_key(aggregator["apiKey"])
    assert bad != aggregator["apiKey"]
    error = assert_error(client.get(ME, headers=headers_for(bad)), 401, "invalid_api_key")
    assert secret_of(aggregator["apiKey"]) not in error["message"]
    # The real key still works afterwards.
    assert client.get(ME, headers=aggregator["headers"]).status_code == 200


@pytest.mark.parametrize("extra", [29, 30, 100, 5000])
def test_overlong_secret_is_401_not_500(client, aggregator, spy, extra):
    # The real secret is 43 chars: +29 makes 72 bytes (bcrypt's limit), +30 makes 73.
    long_key = aggregator["apiKey"] + "A" * extra
    assert_error(client.get(ME, headers=headers_for(long_key)), 401, "invalid_api_key")
    assert client.get(ME, headers=aggregator["headers"]).status_code == 200


def test_secret_over_72_bytes_does_not_reach_bcrypt(client, aggregator, spy):
    long_key = f"{prefix_of(aggregator['apiKey'])}.{'A' * 73}"
    assert_error(client.get(ME, headers=headers_for(long_key)), 401, "invalid_api_key")
    assert spy.checkpw_calls == 0


def test_unknown_prefix_does_not_reach_bcrypt(client, aggregator, spy):
    unknown = "0123456789ab." + secret_of(aggregator["apiKey"])
    for _ in range(3):
        assert_error(client.get(ME, headers=headers_for(unknown)), 401, "invalid_api_key")
    assert spy.checkpw_calls == 0


def test_non_ascii_header_is_401(client, aggregator):
    response = client.get(ME, headers={"X-Aggregator-Key": prefix_of(aggregator["apiKey"]) + ".é"})
    assert_error(response, 401)


def test_admin_key_is_not_an_aggregator_key(client, aggregator, admin_headers):
    response = client.get(ME, headers={"X-Aggregator-Key": admin_headers["X-Admin-Key"]})
    assert_error(response, 401)
    # Sending only the admin header is not aggregator authentication either.
    assert_error(client.get(ME, headers=admin_headers), 401, "missing_api_key")


def test_key_of_one_aggregator_sees_only_itself(client, aggregator):
    other = make_aggregator(client, code="other-agg", name="Other")
    assert client.get(ME, headers=other["headers"]).json["aggregator"]["id"] == other["id"]
    assert (
        client.get(ME, headers=aggregator["headers"]).json["aggregator"]["id"] == (aggregator["id"])
    )


# --- disabled aggregator ----------------------------------------------------------------------


def test_disabled_aggregator_is_refused_at_once_and_enable_restores(
    client, aggregator, admin_headers
):
    assert client.get(ME, headers=aggregator["headers"]).status_code == 200  # cached
    response = client.post(f"{ADMIN_AGGREGATORS}/{aggregator['id']}/disable", headers=admin_headers)
    assert response.status_code == 200
    assert response.json["aggregator"]["status"] == "disabled"

    assert_error(client.get(ME, headers=aggregator["headers"]), 401, "aggregator_disabled")
    assert_error(client.get(KEYS, headers=aggregator["headers"]), 401, "aggregator_disabled")
    assert_error(
        client.post(f"{KEYS}/rotate", headers=aggregator["headers"]), 401, "aggregator_disabled"
    )

    response = client.post(f"{ADMIN_AGGREGATORS}/{aggregator['id']}/enable", headers=admin_headers)
    assert response.status_code == 200
    assert response.json["aggregator"]["status"] == "active"
    response = client.get(ME, headers=aggregator["headers"])
    assert response.status_code == 200
    assert response.json["aggregator"]["status"] == "active"


def test_disabling_one_aggregator_leaves_others_working(client, aggregator, admin_headers):
    other = make_aggregator(client, code="other-agg", name="Other")
    client.post(f"{ADMIN_AGGREGATORS}/{aggregator['id']}/disable", headers=admin_headers)
    assert client.get(ME, headers=other["headers"]).status_code == 200


def test_disabled_aggregator_with_wrong_key_is_still_invalid_key(client, aggregator, admin_headers):
    client.post(f"{ADMIN_AGGREGATORS}/{aggregator['id']}/disable", headers=admin_headers)
    bad = wrong_secret(aggregator["apiKey"])
    assert_error(client.get(ME, headers=headers_for(bad)), 401, "invalid_api_key")


# --- expiry ---------------------------------------------------------------------------------


def issue_key(client, admin_headers, aggregator, **body):
    response = client.post(
        f"{ADMIN_AGGREGATORS}/{aggregator['id']}/api-keys", json=body, headers=admin_headers
    )
    assert response.status_code == 201, response.json
    return response.json


def expire_in_db(api_key):
    from datetime import timedelta

    with database.connection_context():
        updated = (
            ApiKey.update(expires_at=utcnow() - timedelta(seconds=1))
            .where(ApiKey.prefix == prefix_of(api_key))
            .execute()
        )
    assert updated == 1


def test_expired_key_is_401(client, aggregator, admin_headers):
    body = issue_key(client, admin_headers, aggregator, expiresInSeconds=3600, label="temp")
    key = body["apiKey"]
    assert body["key"]["expiresAt"] is not None
    assert body["key"]["label"] == "temp"
    assert client.get(ME, headers=headers_for(key)).status_code == 200  # verified and cached
    expire_in_db(key)
    assert_error(client.get(ME, headers=headers_for(key)), 401, "invalid_api_key")
    # The aggregator's other key is untouched; the listing shows the expiry.
    assert client.get(ME, headers=aggregator["headers"]).status_code == 200
    listed = {k["prefix"]: k for k in client.get(KEYS, headers=aggregator["headers"]).json["keys"]}
    assert listed[prefix_of(key)]["status"] == "expired"


def test_expired_key_not_yet_cached_is_401(client, aggregator, admin_headers, spy):
    key = issue_key(client, admin_headers, aggregator, expiresInSeconds=60)["apiKey"]
    expire_in_db(key)
    assert_error(client.get(ME, headers=headers_for(key)), 401, "invalid_api_key")
    assert spy.checkpw_calls == 0


def test_issued_key_without_expiry_never_expires(client, aggregator, admin_headers):
    body = issue_key(client, admin_headers, aggregator)
    assert body["key"]["expiresAt"] is None
    assert client.get(ME, headers=headers_for(body["apiKey"])).status_code == 200


# --- bcrypt paid once per key per process --------------------------------------------------------


def test_bcrypt_runs_once_per_key(client, aggregator, spy):
    for _ in range(5):
        assert client.get(ME, headers=aggregator["headers"]).status_code == 200
    assert spy.checkpw_calls == 1


def test_bcrypt_runs_once_per_distinct_key(client, aggregator, spy):
    second = client.post(f"{KEYS}/rotate", headers=aggregator["headers"]).json["apiKey"]
    calls_after_rotate = spy.checkpw_calls
    assert calls_after_rotate == 1
    for _ in range(3):
        assert client.get(ME, headers=aggregator["headers"]).status_code == 200
        assert client.get(ME, headers=headers_for(second)).status_code == 200
    assert spy.checkpw_calls == 2


def test_fresh_verifier_pays_bcrypt_again(client, aggregator, spy):
    client.get(ME, headers=aggregator["headers"])
    keys_module.verifier = keys_module.KeyVerifier()  # a new worker process
    client.get(ME, headers=aggregator["headers"])
    assert spy.checkpw_calls == 2


def test_wrong_secret_is_never_cached(client, aggregator, spy):
    bad = wrong_secret(aggregator["apiKey"])
    for _ in range(3):
        assert client.get(ME, headers=headers_for(bad)).status_code == 401
    assert spy.checkpw_calls == 3


def test_cached_key_is_refused_after_revocation(client, aggregator, spy):
    second = client.post(f"{KEYS}/rotate", headers=aggregator["headers"]).json["apiKey"]
    for _ in range(3):
        assert client.get(ME, headers=aggregator["headers"]).status_code == 200
    response = client.delete(
        f"{KEYS}/{prefix_of(aggregator['apiKey'])}", headers=headers_for(second)
    )
    assert response.status_code == 200
    calls = spy.checkpw_calls
    assert_error(client.get(ME, headers=aggregator["headers"]), 401, "invalid_api_key")
    assert_error(client.get(ME, headers=aggregator["headers"]), 401, "invalid_api_key")
    assert spy.checkpw_calls == calls  # refused from the row, without bcrypt


def test_cache_is_bound_to_the_stored_hash(client, aggregator, spy):
    """If a prefix's stored hash changes, the cached verification no longer counts."""
    assert client.get(ME, headers=aggregator["headers"]).status_code == 200
    other_hash = real_bcrypt.hashpw(b"a-different-secret", real_bcrypt.gensalt(4)).decode()
    with database.connection_context():
        ApiKey.update(secret_hash=other_hash).where(
            ApiKey.prefix == prefix_of(aggregator["apiKey"])
        ).execute()
    assert_error(client.get(ME, headers=aggregator["headers"]), 401, "invalid_api_key")
    assert spy.checkpw_calls == 2


# --- failure limit ----------------------------------------------------------------------------


def exhaust(client, api_key, limit):
    for n in range(limit):
        response = client.get(ME, headers=headers_for(wrong_secret(api_key, n)))
        assert_error(response, 401, "invalid_api_key")


def test_failure_limit_returns_429_without_bcrypt(client, app, aggregator, spy):
    limit = app.config["AUTH_FAILURE_LIMIT"]
    window = app.config["AUTH_FAILURE_WINDOW_SECONDS"]
    exhaust(client, aggregator["apiKey"], limit)
    assert spy.checkpw_calls == limit

    for n in range(3):
        response = client.get(ME, headers=headers_for(wrong_secret(aggregator["apiKey"], 100 + n)))
        error = assert_error(response, 429, "too_many_failed_attempts")
        assert secret_of(aggregator["apiKey"]) not in error["message"]
        retry_after = int(response.headers["Retry-After"])
        assert 1 <= retry_after <= window + 1
    assert spy.checkpw_calls == limit


def test_failure_limit_spares_an_already_verified_key(client, app, aggregator, spy):
    limit = app.config["AUTH_FAILURE_LIMIT"]
    assert client.get(ME, headers=aggregator["headers"]).status_code == 200
    exhaust(client, aggregator["apiKey"], limit)
    assert client.get(ME, headers=headers_for(wrong_secret(aggregator["apiKey"]))).status_code == (
        429
    )
    for _ in range(2):
        assert client.get(ME, headers=aggregator["headers"]).status_code == 200
    assert spy.checkpw_calls == limit + 1


def test_failure_limit_is_per_prefix(client, app, aggregator, spy):
    limit = app.config["AUTH_FAILURE_LIMIT"]
    second = client.post(f"{KEYS}/rotate", headers=aggregator["headers"]).json["apiKey"]
    keys_module.verifier = keys_module.KeyVerifier()  # nothing cached
    exhaust(client, aggregator["apiKey"], limit)
    assert client.get(ME, headers=headers_for(wrong_secret(aggregator["apiKey"]))).status_code == (
        429
    )
    # Another key of the same aggregator, never verified in this process, is unaffected.
    assert client.get(ME, headers=headers_for(second)).status_code == 200
    other = make_aggregator(client, code="other-agg", name="Other")
    assert client.get(ME, headers=other["headers"]).status_code == 200


def test_failures_below_the_limit_still_allow_the_right_key(client, app, aggregator, spy):
    limit = app.config["AUTH_FAILURE_LIMIT"]
    exhaust(client, aggregator["apiKey"], limit - 1)
    assert client.get(ME, headers=aggregator["headers"]).status_code == 200
    # A success clears the count: another limit-1 failures still do not lock the prefix.
    exhaust(client, aggregator["apiKey"], limit - 1)
    response = client.get(ME, headers=headers_for(wrong_secret(aggregator["apiKey"], 999)))
    assert_error(response, 401, "invalid_api_key")


def test_failure_limit_resets_with_a_fresh_verifier(client, app, aggregator):
    limit = app.config["AUTH_FAILURE_LIMIT"]
    exhaust(client, aggregator["apiKey"], limit)
    assert client.get(ME, headers=aggregator["headers"]).status_code == 429
    keys_module.verifier = keys_module.KeyVerifier()
    assert client.get(ME, headers=aggregator["headers"]).status_code == 200


def test_unknown_prefix_failures_are_not_rate_limited_into_429(client, app, aggregator):
    limit = app.config["AUTH_FAILURE_LIMIT"]
    unknown = "0123456789ab." + secret_of(aggregator["apiKey"])
    for _ in range(limit + 2):
        assert_error(client.get(ME, headers=headers_for(unknown)), 401, "invalid_api_key")
