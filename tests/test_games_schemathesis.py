"""Property-based run of Schemathesis over the games API's own OpenAPI document, in process.

Every operation is called with generated (valid and invalid) query strings, path parameters and
bodies, with a real aggregator key and a live player session cookie (from a real /launch against
the reference wallet). No answer may be a server error.

The schema is loaded once at import from a throwaway app on an in-memory database (as
tests/test_schemathesis.py does for the backoffice); each case is sent to the session's
`games_app`, whose database is the test database.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

import games
from common import db as common_db
from common.db import database
from common.models import ACTIVE, Aggregator, Operator, PlayerSession, Round, utcnow
from tests.launch_helpers import cookie_attributes, mint, self_mint

SPEC_PATH = "/v1/openapi.json"
MAX_EXAMPLES = int(os.environ.get("BP_SCHEMATHESIS_EXAMPLES", "30"))
CHECKS = [not_a_server_error]
GAMES = ["dice", "limbo", "coinflip", "roulette", "wheel", "plinko", "keno", "baccarat"]


def _load_schema():
    """schemathesis.openapi.from_wsgi on a throwaway games app; the global proxy is kept."""
    saved_obj, saved_current = common_db.database.obj, dict(common_db._current)
    try:
        app = games.create_app(
            {"APP_ENV": "test", "DATABASE_URL": "sqlite:///:memory:", "SECRET_KEY": "s" * 40}
        )
        return schemathesis.openapi.from_wsgi(SPEC_PATH, app)
    finally:
        common_db.database.obj.close_all()
        common_db.database.initialize(saved_obj)
        common_db._current.clear()
        common_db._current.update(saved_current)


schema = _load_schema()

# Mostly random path parameters, but often ones that exist, so that success paths run too.
KNOWN_PATH_VALUES = {"operator_code": st.just("mybrand"), "game": st.sampled_from(GAMES)}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    names = [name for name in KNOWN_PATH_VALUES if name in (path_parameters or {})]
    if not names:
        return st.just(path_parameters)
    known = st.fixed_dictionaries({name: KNOWN_PATH_VALUES[name] for name in names})
    return st.one_of(st.just(path_parameters), known.map(lambda k: {**path_parameters, **k}))


@pytest.fixture
def player(games_client, world):
    """world's player-1 launched for real; returns what every case is sent with: the
    aggregator's key and the session cookie. (The WSGI client rewrites a Cookie header from
    its own jar, so the cookie goes through `cookies`.)"""
    minted = mint(games_client, world["aggregator"], language="en")
    response = games_client.get(minted["launchUrl"])
    assert response.status_code == 302, response.get_data(as_text=True)
    cookie, _ = cookie_attributes(response)
    return {"headers": world["aggregator"]["headers"], "cookies": {"bp_session": cookie}}


def _restore():
    """Undo what an earlier example did: a logout, and spending all the money is fine."""
    with database.connection_context():
        PlayerSession.update(ended_at=None, last_seen_at=utcnow()).execute()
        Aggregator.update(status=ACTIVE).execute()
        Operator.update(status=ACTIVE).execute()


def test_every_operation_is_loaded():
    operations = [result.ok() for result in schema.get_all_operations()]
    paths = {op.path for op in operations}
    assert {"/launch", "/v1/session", "/v1/aggregator/operators"} <= paths
    assert len(operations) >= 10


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    # The same examples every run, so CI is repeatable; BP_SCHEMATHESIS_RANDOM=1 explores anew.
    derandomize=not os.environ.get("BP_SCHEMATHESIS_RANDOM"),
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_games_api_never_fails_with_a_server_error(case, games_app, player):
    _restore()
    case.call_and_validate(app=games_app, checks=CHECKS, **player)


# Success paths that random generation rarely reaches.


def test_success_paths_are_not_server_errors(games_client, games_app, world, player):
    secret = world["operator"]["jwtSharedSecret"]
    token = self_mint(secret, game="keno")
    cases = [
        ("GET", "/v1/health", {}, None, None),
        ("GET", "/v1/aggregator/operators", {}, None, None),
        (
            "POST",
            "/v1/aggregator/operators/{operator_code}/launch-tokens",
            {"operator_code": "mybrand"},
            None,
            {"sub": "player-1", "currency": "BTC", "game": "roulette", "ttlSeconds": 60},
        ),
        ("GET", "/launch", {}, {"token": token}, None),
        ("GET", "/launch", {}, {"token": token}, None),  # replay: 409
        ("GET", "/v1/session", {}, None, None),
        ("GET", "/v1/games", {}, None, None),
        (
            "POST",
            "/v1/games/{game}/bets",
            {"game": "dice"},
            None,
            {"amount": "1", "params": {"target": "50", "condition": "over"}},
        ),
        ("GET", "/v1/rounds", {}, {"limit": 5}, None),
        ("GET", "/v1/fairness", {}, None, None),
        ("POST", "/v1/fairness/client-seed", {}, None, {"clientSeed": "my-seed"}),
        ("POST", "/v1/fairness/rotate", {}, None, None),
        ("DELETE", "/v1/session", {}, None, None),
        ("GET", "/v1/session", {}, None, None),  # after logout: 401
    ]
    statuses = []
    for method, path, path_parameters, query, body in cases:
        kwargs = {"path_parameters": path_parameters}
        if query is not None:
            kwargs["query"] = query
        if body is not None:
            kwargs.update(body=body, media_type="application/json")
        case = schema[path][method].Case(**kwargs)
        response = case.call_and_validate(app=games_app, checks=CHECKS, **player)
        statuses.append(response.status_code)
    expected = [200, 200, 201, 302, 409, 200, None, 201, 200, 200, 200, 200, 204, 401]
    got = [s if e is not None else None for s, e in zip(statuses, expected, strict=True)]
    assert got == expected, list(zip(cases, statuses, strict=True))

    _restore()
    with database.connection_context():
        round_id = Round.select(Round.id).scalar()
    case = schema["/v1/rounds/{round_id}"]["GET"].Case(path_parameters={"round_id": round_id})
    response = case.call_and_validate(app=games_app, checks=CHECKS, **player)
    assert response.status_code == 200
    assert response.json()["round"]["id"] == round_id
