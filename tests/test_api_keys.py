"""Aggregator API keys: format, rotation, listing and revocation (guide + SPEC section 2, 3)."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import make_aggregator

KEY_RE = re.compile(r"^([0-9a-f]{12})\.([A-Za-z0-9_-]{43,})$")
ME = "/api/v1/bo/aggregator/me"
KEYS = "/api/v1/bo/aggregator/api-keys"
ROTATE = KEYS + "/rotate"


def prefix_of(api_key):
    return api_key.split(".", 1)[0]


def headers_for(api_key):
    return {"X-Aggregator-Key": api_key}


def me_status(client, api_key):
    return client.get(ME, headers=headers_for(api_key)).status_code


def parse_ts(value):
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value[:-1]).replace(tzinfo=UTC)


def list_keys(client, api_key):
    response = client.get(KEYS, headers=headers_for(api_key))
    assert response.status_code == 200, response.json
    return {k["prefix"]: k for k in response.json["keys"]}


def rotate(client, api_key, **kwargs):
    response = client.post(ROTATE, headers=headers_for(api_key), **kwargs)
    assert response.status_code == 201, response.json
    return response.json


# --- key format ---------------------------------------------------------------------------


def test_first_key_has_the_documented_format(aggregator):
    match = KEY_RE.match(aggregator["apiKey"])
    assert match, aggregator["apiKey"]
    # 32 random bytes, URL-safe base64 without padding: 43 characters.
    assert len(match.group(2)) >= 43


def test_rotated_key_has_the_documented_format_and_a_fresh_prefix(client, aggregator):
    body = rotate(client, aggregator["apiKey"])
    assert KEY_RE.match(body["apiKey"]), body["apiKey"]
    assert prefix_of(body["apiKey"]) != prefix_of(aggregator["apiKey"])
    assert body["apiKey"].split(".")[1] != aggregator["apiKey"].split(".")[1]


def test_keys_are_distinct_across_many_issues(client):
    seen = set()
    for i in range(5):
        agg = make_aggregator(client, code=f"agg-{i}", name=f"Agg {i}")
        assert KEY_RE.match(agg["apiKey"])
        seen.add(agg["apiKey"])
    assert len(seen) == 5
    assert len({prefix_of(k) for k in seen}) == 5


# --- rotation -----------------------------------------------------------------------------


def test_rotate_without_body_issues_a_working_key_and_old_keeps_working(client, aggregator):
    body = rotate(client, aggregator["apiKey"])
    new_key = body["apiKey"]
    assert body["key"]["prefix"] == prefix_of(new_key)
    assert body["key"]["status"] == "active"
    assert body["key"]["label"] is None
    assert me_status(client, new_key) == 200
    # Guide: "Old keys continue to work until explicitly revoked."
    assert me_status(client, aggregator["apiKey"]) == 200
    keys = list_keys(client, new_key)
    assert keys[prefix_of(aggregator["apiKey"])]["expiresAt"] is None
    assert keys[prefix_of(aggregator["apiKey"])]["status"] == "active"


def test_rotate_with_empty_json_object(client, aggregator):
    body = rotate(client, aggregator["apiKey"], json={})
    assert me_status(client, body["apiKey"]) == 200
    assert me_status(client, aggregator["apiKey"]) == 200


def test_rotate_with_label(client, aggregator):
    body = rotate(client, aggregator["apiKey"], json={"label": "rotated 2025-Q3"})
    assert set(body) >= {"apiKey"}
    new_key = body["apiKey"]
    assert me_status(client, new_key) == 200
    assert me_status(client, aggregator["apiKey"]) == 200
    keys = list_keys(client, new_key)
    assert keys[prefix_of(new_key)]["label"] == "rotated 2025-Q3"


def test_rotated_key_can_rotate_again_and_all_keys_work(client, aggregator):
    second = rotate(client, aggregator["apiKey"])["apiKey"]
    third = rotate(client, second)["apiKey"]
    for key in (aggregator["apiKey"], second, third):
        assert me_status(client, key) == 200
    assert len(list_keys(client, third)) == 3


def test_rotate_expiring_others_immediately(client, aggregator):
    other = rotate(client, aggregator["apiKey"])["apiKey"]
    assert me_status(client, other) == 200  # cached as verified
    body = rotate(client, aggregator["apiKey"], json={"expireOthersInSeconds": 0})
    new_key = body["apiKey"]
    assert me_status(client, new_key) == 200
    for old in (aggregator["apiKey"], other):
        response = client.get(ME, headers=headers_for(old))
        assert response.status_code == 401
        assert response.json["error"]["code"] == "invalid_api_key"
    keys = list_keys(client, new_key)
    assert keys[prefix_of(new_key)]["status"] == "active"
    assert keys[prefix_of(new_key)]["expiresAt"] is None
    assert keys[prefix_of(aggregator["apiKey"])]["status"] == "expired"
    assert keys[prefix_of(other)]["status"] == "expired"


def test_rotate_expiring_others_in_an_hour(client, aggregator):
    other = rotate(client, aggregator["apiKey"])["apiKey"]
    body = rotate(client, aggregator["apiKey"], json={"expireOthersInSeconds": 3600})
    new_key = body["apiKey"]
    assert me_status(client, new_key) == 200
    assert me_status(client, aggregator["apiKey"]) == 200
    assert me_status(client, other) == 200
    keys = list_keys(client, new_key)
    expected = datetime.now(UTC) + timedelta(hours=1)
    for old in (aggregator["apiKey"], other):
        row = keys[prefix_of(old)]
        assert row["status"] == "active"
        assert abs(parse_ts(row["expiresAt"]) - expected) < timedelta(minutes=5)
    assert keys[prefix_of(new_key)]["expiresAt"] is None


def test_rotate_expiry_never_extends_an_earlier_deadline(client, aggregator):
    rotate(client, aggregator["apiKey"], json={"expireOthersInSeconds": 600})
    newest = rotate(client, aggregator["apiKey"], json={"expireOthersInSeconds": 7200})["apiKey"]
    keys = list_keys(client, newest)
    first_expiry = parse_ts(keys[prefix_of(aggregator["apiKey"])]["expiresAt"])
    assert first_expiry - datetime.now(UTC) < timedelta(minutes=15)


def test_rotate_does_not_touch_other_aggregators_keys(client, aggregator):
    other = make_aggregator(client, code="other-agg", name="Other")
    rotate(client, aggregator["apiKey"], json={"expireOthersInSeconds": 0})
    assert me_status(client, other["apiKey"]) == 200
    assert list_keys(client, other["apiKey"])[prefix_of(other["apiKey"])]["expiresAt"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"expireOthersInSeconds": -1},
        {"expireOthersInSeconds": "3600"},
        {"expireOthersInSeconds": 1.5},
        {"expireOthersInSeconds": None},
        {"label": 42},
        {"label": "x" * 201},
        {"unknown": True},
        {"label": "ok", "expiresInSeconds": 60},
    ],
)
def test_rotate_rejects_bad_bodies(client, aggregator, body):
    response = client.post(ROTATE, json=body, headers=aggregator["headers"])
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert error["message"]
    assert error["details"]["fields"]
    # Nothing was issued.
    assert len(list_keys(client, aggregator["apiKey"])) == 1


def test_rotate_rejects_malformed_json(client, aggregator):
    response = client.post(
        ROTATE,
        data="{not json",
        content_type="application/json",
        headers=aggregator["headers"],
    )
    assert response.status_code == 400
    assert set(response.json["error"]) >= {"code", "message"}
    assert len(list_keys(client, aggregator["apiKey"])) == 1


def test_rotate_requires_a_key(client, aggregator):
    response = client.post(ROTATE)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "missing_api_key"


# --- listing ------------------------------------------------------------------------------


def test_list_shows_metadata_and_never_secrets(client, aggregator):
    second = rotate(client, aggregator["apiKey"], json={"label": "second"})["apiKey"]
    response = client.get(KEYS, headers=headers_for(second))
    assert response.status_code == 200
    keys = response.json["keys"]
    assert [k["prefix"] for k in keys] == [prefix_of(aggregator["apiKey"]), prefix_of(second)]
    for key in keys:
        assert set(key) == {
            "prefix",
            "label",
            "createdAt",
            "lastUsedAt",
            "expiresAt",
            "revokedAt",
            "status",
        }
        assert key["status"] == "active"
        assert key["revokedAt"] is None
        parse_ts(key["createdAt"])
    text = response.get_data(as_text=True)
    for full_key in (aggregator["apiKey"], second):
        assert full_key.split(".", 1)[1] not in text
        assert full_key not in text
    assert "$2b$" not in text and "$2a$" not in text  # no bcrypt hash
    assert "secret" not in text.lower()
    assert "hash" not in text.lower()


def test_list_records_last_use(client, aggregator):
    unused = rotate(client, aggregator["apiKey"])["apiKey"]
    keys = list_keys(client, aggregator["apiKey"])
    assert keys[prefix_of(aggregator["apiKey"])]["lastUsedAt"] is not None
    assert keys[prefix_of(unused)]["lastUsedAt"] is None
    used_at = parse_ts(keys[prefix_of(aggregator["apiKey"])]["lastUsedAt"])
    assert abs(used_at - datetime.now(UTC)) < timedelta(minutes=5)


def test_list_shows_only_own_keys(client, aggregator):
    other = make_aggregator(client, code="other-agg", name="Other")
    mine = list_keys(client, aggregator["apiKey"])
    theirs = list_keys(client, other["apiKey"])
    assert set(mine) == {prefix_of(aggregator["apiKey"])}
    assert set(theirs) == {prefix_of(other["apiKey"])}


def test_first_key_is_active_and_never_expires(aggregator, client):
    (key,) = list_keys(client, aggregator["apiKey"]).values()
    assert key["prefix"] == prefix_of(aggregator["apiKey"])
    assert key["status"] == "active"
    assert key["expiresAt"] is None
    assert key["revokedAt"] is None


# --- revocation ---------------------------------------------------------------------------


def test_revoke_stops_the_key_on_the_next_request(client, aggregator):
    new_key = rotate(client, aggregator["apiKey"])["apiKey"]
    old = aggregator["apiKey"]
    assert me_status(client, old) == 200  # verified and cached
    response = client.delete(f"{KEYS}/{prefix_of(old)}", headers=headers_for(new_key))
    assert response.status_code == 200, response.json
    assert response.json["key"]["prefix"] == prefix_of(old)
    assert response.json["key"]["status"] == "revoked"
    assert response.json["key"]["revokedAt"] is not None
    response = client.get(ME, headers=headers_for(old))
    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_api_key"
    assert me_status(client, new_key) == 200
    keys = list_keys(client, new_key)
    assert keys[prefix_of(old)]["status"] == "revoked"


def test_a_key_may_revoke_itself_when_another_is_active(client, aggregator):
    new_key = rotate(client, aggregator["apiKey"])["apiKey"]
    old = aggregator["apiKey"]
    response = client.delete(f"{KEYS}/{prefix_of(old)}", headers=headers_for(old))
    assert response.status_code == 200
    assert me_status(client, old) == 401
    assert me_status(client, new_key) == 200


def test_revoking_the_last_active_key_is_refused(client, aggregator):
    response = client.delete(
        f"{KEYS}/{prefix_of(aggregator['apiKey'])}", headers=aggregator["headers"]
    )
    assert response.status_code == 409
    assert response.json["error"]["code"] == "last_active_key"
    assert response.json["error"]["message"]
    assert me_status(client, aggregator["apiKey"]) == 200


def test_revoking_down_to_the_last_key_then_refused(client, aggregator):
    new_key = rotate(client, aggregator["apiKey"])["apiKey"]
    assert (
        client.delete(
            f"{KEYS}/{prefix_of(aggregator['apiKey'])}", headers=headers_for(new_key)
        ).status_code
        == 200
    )
    response = client.delete(f"{KEYS}/{prefix_of(new_key)}", headers=headers_for(new_key))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "last_active_key"
    assert me_status(client, new_key) == 200


def test_last_active_key_counts_expired_keys_as_inactive(client, aggregator):
    new_key = rotate(client, aggregator["apiKey"], json={"expireOthersInSeconds": 0})["apiKey"]
    response = client.delete(f"{KEYS}/{prefix_of(new_key)}", headers=headers_for(new_key))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "last_active_key"


def test_revoking_another_aggregators_key_is_404(client, aggregator):
    other = make_aggregator(client, code="other-agg", name="Other")
    rotate(client, other["apiKey"])  # so 409 (last key) cannot be the answer
    response = client.delete(f"{KEYS}/{prefix_of(other['apiKey'])}", headers=aggregator["headers"])
    assert response.status_code == 404
    assert response.json["error"]["code"] == "api_key_not_found"
    assert me_status(client, other["apiKey"]) == 200


@pytest.mark.parametrize("prefix", ["0123456789ab", "nothex", "ABCDEF012345"])
def test_revoking_an_unknown_prefix_is_404(client, aggregator, prefix):
    rotate(client, aggregator["apiKey"])
    response = client.delete(f"{KEYS}/{prefix}", headers=aggregator["headers"])
    assert response.status_code == 404
    assert set(response.json["error"]) >= {"code", "message"}


def test_revoke_requires_a_key(client, aggregator):
    response = client.delete(f"{KEYS}/{prefix_of(aggregator['apiKey'])}")
    assert response.status_code == 401
    assert me_status(client, aggregator["apiKey"]) == 200
