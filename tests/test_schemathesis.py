"""Property-based run of Schemathesis over the backoffice's own OpenAPI document, in process.

Every operation is called with generated (valid and invalid) bodies, query strings and path
parameters, authenticated with a real aggregator key or the admin key as its `security` says.
No response may be a 5xx, every status must be documented and every body must match the
documented schema (errors included).

The schema is loaded once at import from a throwaway app: schemathesis' lazy
`pytest.from_fixture` loader does not work with pytest 9 (it writes `Function._nodeid`). Each
case is then sent to the session's `app` fixture, whose database is the test database.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import backoffice
from common import db as common_db
from common.db import database
from common.keys import hash_secret
from common.models import ACTIVE, Aggregator, ApiKey
from tests.conftest import ADMIN_KEY, make_aggregator, make_operator

SPEC_PATH = "/api/v1/bo/openapi.json"
KNOWN_PREFIX = "0123456789ab"
KNOWN_SECRET = "schemathesis-known-secret-0123456789abcdefghij"
KNOWN_KEY = f"{KNOWN_PREFIX}.{KNOWN_SECRET}"
AGGREGATOR_CODE = "acme-games"
OPERATOR_CODE = "mybrand"
# Modest by default so the suite stays fast; raise it for a deeper hunt.
MAX_EXAMPLES = int(os.environ.get("BP_SCHEMATHESIS_EXAMPLES", "40"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _load_spec():
    """The backoffice's spec, from an app on an in-memory database; the global proxy is kept."""
    saved_obj, saved_current = common_db.database.obj, dict(common_db._current)
    try:
        app = backoffice.create_app(
            {"APP_ENV": "test", "DATABASE_URL": "sqlite:///:memory:", "SECRET_KEY": "s" * 40}
        )
        response = app.test_client().get(SPEC_PATH)
        assert response.status_code == 200
        return response.json
    finally:
        common_db.database.obj.close_all()
        common_db.database.initialize(saved_obj)
        common_db._current.clear()
        common_db._current.update(saved_current)


schema = schemathesis.openapi.from_dict(_load_spec())

# Path parameters are mostly random (→ 404), but often name objects that exist, so that the
# success paths and their response schemas are exercised too.
KNOWN_PATH_VALUES = {
    "operator_id": OPERATOR_CODE,
    "aggregator_id": AGGREGATOR_CODE,
    "prefix": KNOWN_PREFIX,
}


@schema.hook
def before_generate_path_parameters(context, strategy):
    names = [name for name in KNOWN_PATH_VALUES if f"{{{name}}}" in context.operation.path]
    if not names:
        return strategy
    known = {name: KNOWN_PATH_VALUES[name] for name in names}
    return st.one_of(strategy.map(lambda generated: {**generated, **known}), strategy)


@pytest.fixture
def tenant(client):
    """An aggregator with a key whose value the hooks know, and one operator it owns."""
    aggregator = make_aggregator(client, code=AGGREGATOR_CODE)
    make_operator(client, aggregator, code=OPERATOR_CODE)
    with database.connection_context():
        ApiKey.create(
            prefix=KNOWN_PREFIX,
            secret_hash=hash_secret(KNOWN_SECRET, 4),
            aggregator=aggregator["id"],
            label="schemathesis",
        )
    return aggregator


def _restore(aggregator_id):
    """Undo what an earlier example may have done to the caller's own account."""
    with database.connection_context():
        Aggregator.update(status=ACTIVE).where(Aggregator.id == aggregator_id).execute()
        ApiKey.update(revoked_at=None, expires_at=None).where(
            ApiKey.prefix == KNOWN_PREFIX
        ).execute()


def _auth_headers(case):
    schemes = [name for req in case.operation.definition.raw.get("security", []) for name in req]
    if schemes == ["AdminKey"]:
        return {"X-Admin-Key": ADMIN_KEY}
    if schemes == ["AggregatorKey"]:
        return {"X-Aggregator-Key": KNOWN_KEY}
    # Either credential is accepted: alternate between them.
    if len(str(case.path_parameters)) % 2:
        return {"X-Admin-Key": ADMIN_KEY}
    return {"X-Aggregator-Key": KNOWN_KEY}


def test_spec_loads_and_every_operation_requires_a_credential():
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 18
    assert all(op.definition.raw.get("security") for op in operations)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    # The same examples every run, so CI is repeatable; BP_SCHEMATHESIS_RANDOM=1 explores anew.
    derandomize=not os.environ.get("BP_SCHEMATHESIS_RANDOM"),
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_backoffice_api_conforms_to_its_spec(case, app, tenant):
    _restore(tenant["id"])
    headers = _auth_headers(case)
    case.call_and_validate(app=app, headers=headers, checks=CHECKS)


# Success paths that random generation rarely reaches, validated against the same spec.


def _rsa_public_pem():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _explicit_cases(aggregator_id):
    operator = {
        "name": "Explicit",
        "walletBaseUrl": "https://wallet.example.com",
        "gameFrontendBaseUrl": "http://localhost:3000/play?x=1",
    }
    config = {
        "enabledGames": ["dice", "crash"],
        "currencies": {
            "BTC": {"minBet": "0.000005", "maxBet": "0.01", "maxWin": "1"},
            "USDT": {"minBet": "0.1", "maxBet": "500"},
        },
        "featureFlags": {"autoplay": True, "turbo": False, "chat": False, "soundDefault": True},
        "demoStartingBalance": "1000",
    }
    return [
        ("POST", "/api/v1/bo/aggregators", {}, {"code": "second-agg", "name": "Second"}),
        ("GET", "/api/v1/bo/aggregators", {}, None),
        (
            "POST",
            "/api/v1/bo/aggregators/{aggregator_id}/disable",
            {"aggregator_id": "second-agg"},
            None,
        ),
        (
            "POST",
            "/api/v1/bo/aggregators/{aggregator_id}/enable",
            {"aggregator_id": aggregator_id},
            None,
        ),
        (
            "POST",
            "/api/v1/bo/aggregators/{aggregator_id}/api-keys",
            {"aggregator_id": aggregator_id},
            {"label": "spare", "expiresInSeconds": 3600},
        ),
        ("POST", "/api/v1/bo/aggregator/operators", {}, {"code": "explicit-hs", **operator}),
        (
            "POST",
            "/api/v1/bo/operators",
            {},
            {
                "code": "explicit-rs",
                **operator,
                "jwtAlg": "RS256",
                "jwtPublicKey": _rsa_public_pem(),
                "aggregatorId": aggregator_id,
            },
        ),
        ("POST", "/api/v1/bo/operators", {}, {"code": "orphan-brand", **operator}),
        (
            "POST",
            "/api/v1/bo/operators/{operator_id}/rotate-secrets",
            {"operator_id": "explicit-rs"},
            None,
        ),
        (
            "POST",
            "/api/v1/bo/operators/{operator_id}/rotate-secrets",
            {"operator_id": "explicit-hs"},
            None,
        ),
        (
            "POST",
            "/api/v1/bo/operators/{operator_id}/disable",
            {"operator_id": "explicit-rs"},
            None,
        ),
        (
            "GET",
            "/api/v1/bo/aggregator/operators/{operator_id}",
            {"operator_id": "explicit-rs"},
            None,
        ),
        (
            "PUT",
            "/api/v1/bo/aggregator/operators/{operator_id}/config",
            {"operator_id": "explicit-hs"},
            config,
        ),
        (
            "GET",
            "/api/v1/bo/aggregator/operators/{operator_id}/config",
            {"operator_id": "explicit-hs"},
            None,
        ),
        (
            "GET",
            "/api/v1/bo/aggregator/operators/{operator_id}/config",
            {"operator_id": "explicit-rs"},
            None,
        ),
        ("GET", "/api/v1/bo/aggregator/operators", {}, None),
        (
            "POST",
            "/api/v1/bo/aggregator/api-keys/rotate",
            {},
            {"label": "next", "expireOthersInSeconds": 60},
        ),
        ("GET", "/api/v1/bo/aggregator/api-keys", {}, None),
        ("DELETE", "/api/v1/bo/aggregator/api-keys/{prefix}", {"prefix": KNOWN_PREFIX}, None),
    ]


def test_success_paths_conform_to_the_spec(app, tenant):
    statuses = []
    for method, path, path_parameters, body in _explicit_cases(tenant["id"]):
        operation = schema[path][method]
        kwargs = {"path_parameters": path_parameters}
        if body is not None:
            kwargs.update(body=body, media_type="application/json")
        case = operation.Case(**kwargs)
        # The last case revokes KNOWN_KEY: use the fixture's first key for the aggregator.
        headers = _auth_headers(case)
        if "X-Aggregator-Key" in headers:
            headers = tenant["headers"]
        response = case.call_and_validate(app=app, headers=headers, checks=CHECKS)
        statuses.append((method, path, response.status_code))
    assert all(200 <= status < 300 for _, _, status in statuses), statuses
