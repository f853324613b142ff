"""Concurrent requests against a real threaded server: codes stay unique, losers get 409."""

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import requests
from werkzeug.serving import make_server

from common.db import database
from common.models import Aggregator, Operator
from tests.conftest import ADMIN_KEY, operator_body

THREADS = 8


@contextmanager
def _environment(config):
    """Importing `wsgi` builds the module-level app from the environment: point it at the tests."""
    names = ("APP_ENV", "DATABASE_URL", "SECRET_KEY", "ADMIN_API_KEY", "BCRYPT_ROUNDS")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update({name: str(config[name]) for name in names})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="module")
def server_url(test_config):
    """Both APIs (wsgi.create_app) on a threaded werkzeug server at 127.0.0.1:<free port>."""
    with _environment(test_config):
        import wsgi

        app = wsgi.create_app(test_config)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def _new_aggregator(http, server_url, code):
    response = http.post(
        f"{server_url}/api/v1/bo/aggregators",
        json={"code": code, "name": code.title()},
        headers={"X-Admin-Key": ADMIN_KEY},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()


def _race(count, request):
    """Run `request` in `count` threads released together; returns the responses."""
    barrier = threading.Barrier(count)

    def attempt(index):
        barrier.wait(timeout=30)
        # One session per thread: requests.Session is not thread-safe.
        with requests.Session() as session:
            return request(session, index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(attempt, range(count)))


def test_server_serves_both_apps(http, server_url):
    assert http.get(f"{server_url}/v1/health", timeout=30).json() == {"status": "ok"}
    response = http.get(f"{server_url}/api/v1/bo/aggregator/me", timeout=30)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "missing_api_key"


def test_concurrent_creates_of_one_operator_code_make_exactly_one(http, server_url):
    created = _new_aggregator(http, server_url, "acme-games")
    headers = {"X-Aggregator-Key": created["apiKey"]}
    url = f"{server_url}/api/v1/bo/aggregator/operators"

    def create(session, index):
        body = operator_body("mybrand", name=f"Racer {index}")
        return session.post(url, json=body, headers=headers, timeout=60)

    responses = _race(THREADS, create)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (THREADS - 1), [r.text for r in responses]
    for response in responses:
        if response.status_code == 409:
            assert response.json()["error"]["code"] == "operator_code_taken"
    winner = next(r.json()["operator"] for r in responses if r.status_code == 201)
    with database.connection_context():
        rows = list(Operator.select().where(Operator.code == "mybrand"))
    assert [row.id for row in rows] == [winner["id"]]
    assert rows[0].name == winner["name"]

    listed = http.get(url, headers=headers, timeout=30).json()["operators"]
    assert [op["id"] for op in listed] == [winner["id"]]


def test_concurrent_creates_across_aggregators_still_make_exactly_one(http, server_url):
    """The code is globally unique, whichever aggregator asks."""
    keys = [_new_aggregator(http, server_url, f"agg-{index}")["apiKey"] for index in range(THREADS)]
    url = f"{server_url}/api/v1/bo/aggregator/operators"

    def create(session, index):
        headers = {"X-Aggregator-Key": keys[index]}
        return session.post(url, json=operator_body("shared"), headers=headers, timeout=60)

    statuses = sorted(r.status_code for r in _race(THREADS, create))
    assert statuses == [201] + [409] * (THREADS - 1)
    with database.connection_context():
        assert Operator.select().where(Operator.code == "shared").count() == 1


def test_concurrent_creates_of_distinct_codes_all_succeed(http, server_url):
    created = _new_aggregator(http, server_url, "acme-games")
    headers = {"X-Aggregator-Key": created["apiKey"]}
    url = f"{server_url}/api/v1/bo/aggregator/operators"

    def create(session, index):
        return session.post(url, json=operator_body(f"brand-{index}"), headers=headers, timeout=60)

    responses = _race(THREADS, create)
    assert [r.status_code for r in responses] == [201] * THREADS, [r.text for r in responses]
    with database.connection_context():
        assert Operator.select().count() == THREADS


def test_concurrent_aggregator_creates_make_exactly_one(server_url):
    url = f"{server_url}/api/v1/bo/aggregators"

    def create(session, index):
        body = {"code": "same-code", "name": f"Racer {index}"}
        return session.post(url, json=body, headers={"X-Admin-Key": ADMIN_KEY}, timeout=60)

    statuses = sorted(r.status_code for r in _race(THREADS, create))
    assert statuses == [201] + [409] * (THREADS - 1)
    with database.connection_context():
        assert Aggregator.select().where(Aggregator.code == "same-code").count() == 1
