"""Fixtures: one migrated database per run (SQLite file, or TEST_DATABASE_URL), emptied per test."""

import os

import pytest

import backoffice
import games
from common import keys, migrate
from common.db import database, init_database, is_sqlite

pytest_plugins = ["tests.world"]

ADMIN_KEY = "test-admin-key-0123456789abcdef0123456789"
SECRET_KEY = "test-secret-key-not-for-production-0123456789"


def _database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    init_database(url)
    with database.connection_context():
        _drop_all_tables()
    migrate.upgrade()
    return url


def _tables():
    return [t for t in database.get_tables() if not t.endswith("schema_migrations")]


def _drop_all_tables():
    tables = database.get_tables()
    if not tables:
        return
    if is_sqlite():
        database.execute_sql("PRAGMA foreign_keys = OFF")
        for table in tables:
            database.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
        database.execute_sql("PRAGMA foreign_keys = ON")
    else:
        database.execute_sql(
            "DROP TABLE IF EXISTS " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"
        )


def empty_tables():
    with database.connection_context():
        tables = _tables()
        if is_sqlite():
            database.execute_sql("PRAGMA foreign_keys = OFF")
            for table in tables:
                database.execute_sql(f'DELETE FROM "{table}"')
            database.execute_sql("PRAGMA foreign_keys = ON")
        else:
            database.execute_sql("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")


@pytest.fixture(scope="session")
def test_config(database_url):
    return {
        "APP_ENV": "test",
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "ADMIN_API_KEY": ADMIN_KEY,
        "BCRYPT_ROUNDS": 4,
    }


@pytest.fixture(scope="session")
def app(test_config):
    """The backoffice app (most tests exercise it)."""
    return backoffice.create_app(test_config)


@pytest.fixture(scope="session")
def games_app(test_config):
    return games.create_app(test_config)


@pytest.fixture(autouse=True)
def clean_state(database_url):
    """Every test starts with empty tables and a fresh per-process key cache."""
    empty_tables()
    keys.verifier = keys.KeyVerifier()
    yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def games_client(games_app):
    return games_app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def admin_headers():
    return {"X-Admin-Key": ADMIN_KEY}


def make_aggregator(client, code="acme-games", name="Acme Games Ltd"):
    """Create an aggregator through the admin API; returns its JSON plus `headers` for its key."""
    response = client.post(
        "/api/v1/bo/aggregators",
        json={"code": code, "name": name},
        headers={"X-Admin-Key": ADMIN_KEY},
    )
    assert response.status_code == 201, response.json
    body = response.json
    return {
        **body["aggregator"],
        "apiKey": body["apiKey"],
        "headers": {"X-Aggregator-Key": body["apiKey"]},
    }


def operator_body(code="mybrand", **overrides):
    body = {
        "code": code,
        "name": "My Brand Casino",
        "walletBaseUrl": "https://wallet.mybrand.com",
        "gameFrontendBaseUrl": "https://play.mybrand.com",
    }
    body.update(overrides)
    return body


def make_operator(client, aggregator, code="mybrand", **overrides):
    response = client.post(
        "/api/v1/bo/aggregator/operators",
        json=operator_body(code, **overrides),
        headers=aggregator["headers"],
    )
    assert response.status_code == 201, response.json
    return response.json["operator"]


@pytest.fixture
def aggregator(client):
    return make_aggregator(client)


@pytest.fixture
def operator(client, aggregator):
    return make_operator(client, aggregator)
