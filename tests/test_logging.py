"""No secret ever reaches a log record, at any level, from any logger (SQL debug logs included)."""

import logging

import pytest

from tests.conftest import ADMIN_KEY, SECRET_KEY, make_aggregator, operator_body

BO = "/api/v1/bo"


def _record_text(record):
    """Everything a handler could write for `record`: message, raw msg and args, traceback."""
    parts = [repr(record.msg), repr(record.args), record.getMessage()]
    parts.append(logging.Formatter().format(record))
    for name, value in vars(record).items():
        if name not in ("msg", "args", "message") and isinstance(value, str):
            parts.append(value)
    return "\n".join(parts)


def _secret_halves(api_key):
    prefix, secret = api_key.split(".", 1)
    assert len(prefix) == 12
    return [api_key, secret]


@pytest.fixture
def all_logs(caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("peewee", "werkzeug", "betterplay", "common", "backoffice", "games"):
        caplog.set_level(logging.DEBUG, logger=name)  # restored after the test
    return caplog


def test_no_secret_appears_in_any_log_record(client, all_logs):
    secrets = [ADMIN_KEY, SECRET_KEY]

    # The admin creates an aggregator; its first key is a secret.
    aggregator = make_aggregator(client, code="log-watch")
    secrets += _secret_halves(aggregator["apiKey"])
    headers = aggregator["headers"]

    # The aggregator creates an operator: two operator secrets.
    response = client.post(f"{BO}/aggregator/operators", json=operator_body(), headers=headers)
    assert response.status_code == 201, response.json
    operator = response.json["operator"]
    secrets += [operator["jwtSharedSecret"], operator["walletHmacSecret"]]

    # It configures and reads it (the normal day's traffic).
    response = client.put(
        f"{BO}/aggregator/operators/mybrand/config",
        json={"enabledGames": ["dice"], "currencies": {"USDT": {"minBet": "1", "maxBet": "2"}}},
        headers=headers,
    )
    assert response.status_code == 200, response.json
    assert client.get(f"{BO}/aggregator/operators/mybrand", headers=headers).status_code == 200

    # It rotates its key, twice, once expiring the others.
    response = client.post(
        f"{BO}/aggregator/api-keys/rotate", json={"label": "rotated"}, headers=headers
    )
    assert response.status_code == 201, response.json
    rotated = response.json["apiKey"]
    secrets += _secret_halves(rotated)
    response = client.post(
        f"{BO}/aggregator/api-keys/rotate",
        json={"expireOthersInSeconds": 3600},
        headers={"X-Aggregator-Key": rotated},
    )
    assert response.status_code == 201, response.json
    secrets += _secret_halves(response.json["apiKey"])
    assert client.get(f"{BO}/aggregator/api-keys", headers=headers).status_code == 200

    # The admin issues another key for it, and creates and rotates operators' secrets.
    response = client.post(
        f"{BO}/aggregators/{aggregator['id']}/api-keys",
        json={"label": "lost them all"},
        headers={"X-Admin-Key": ADMIN_KEY},
    )
    assert response.status_code == 201, response.json
    secrets += _secret_halves(response.json["apiKey"])
    response = client.post(
        f"{BO}/operators/mybrand/rotate-secrets", headers={"X-Admin-Key": ADMIN_KEY}
    )
    assert response.status_code == 200, response.json
    rotated_operator = response.json["operator"]
    secrets += [rotated_operator["jwtSharedSecret"], rotated_operator["walletHmacSecret"]]
    response = client.post(
        f"{BO}/operators",
        json=operator_body("admin-made", aggregatorId=aggregator["id"]),
        headers={"X-Admin-Key": ADMIN_KEY},
    )
    assert response.status_code == 201, response.json
    secrets += [response.json["operator"]["jwtSharedSecret"]]
    secrets += [response.json["operator"]["walletHmacSecret"]]

    # Failed authentication: a known prefix with wrong secrets (until locked out), a malformed
    # key, a wrong admin key. What the caller sent is as secret as a right key.
    prefix = aggregator["apiKey"].split(".", 1)[0]
    wrong_secrets = [f"wrong-secret-{i:02d}-ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ" for i in range(12)]
    statuses = set()
    for wrong in wrong_secrets:
        response = client.get(
            f"{BO}/aggregator/me", headers={"X-Aggregator-Key": f"{prefix}.{wrong}"}
        )
        statuses.add(response.status_code)
    assert statuses <= {401, 429} and 401 in statuses
    secrets += wrong_secrets
    bad_admin = "not-the-admin-key-but-looks-secret-0123456789"
    assert client.get(f"{BO}/aggregators", headers={"X-Admin-Key": bad_admin}).status_code == 401
    secrets.append(bad_admin)
    malformed = "this-is-no-key-but-someones-password-0123456789"
    response = client.get(f"{BO}/aggregator/me", headers={"X-Aggregator-Key": malformed})
    assert response.status_code == 401
    secrets.append(malformed)

    records = all_logs.records
    assert records, "nothing was logged: the capture is not working"
    assert any(r.name == "betterplay.request" for r in records), "request log missing"
    leaks = [
        (record.name, record.levelname, secret[:6] + "...")
        for record in records
        for secret in secrets
        if secret in _record_text(record)
    ]
    assert not leaks, leaks


def test_request_log_has_the_path_but_not_the_query_string(client, aggregator, all_logs):
    response = client.get(
        f"{BO}/aggregator/operators?cursor=c2VjcmV0LXRva2Vu&limit=5",
        headers=aggregator["headers"],
    )
    assert response.status_code in (200, 422)
    lines = [
        r.getMessage()
        for r in all_logs.records
        if r.name == "betterplay.request" and "/aggregator/operators" in r.getMessage()
    ]
    assert lines
    assert all("c2VjcmV0LXRva2Vu" not in line for line in lines)


def test_unexpected_errors_log_a_traceback_without_request_headers(test_config, all_logs):
    import backoffice

    app = backoffice.create_app(test_config)

    @app.route(f"{BO}/explode")
    def explode():
        raise RuntimeError("boom")

    response = app.test_client().get(
        f"{BO}/explode", headers={"X-Aggregator-Key": "0123456789ab.very-secret-value"}
    )
    assert response.status_code == 500
    errors = [r for r in all_logs.records if r.exc_info]
    assert errors
    assert all("very-secret-value" not in _record_text(r) for r in all_logs.records)
