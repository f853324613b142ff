"""SPEC section 1: a database made by an older release upgrades, and its data keeps working.

Each test works on a fresh database of its own (an SQLite file, or a uniquely named PostgreSQL
database next to TEST_DATABASE_URL's, dropped afterwards) and points the shared database proxy
back at the session's test database when done.
"""

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from peewee import Table

import backoffice
from common import db as common_db
from common import migrate
from common.db import database, init_database, is_sqlite
from common.keys import hash_secret, mint_key
from common.models import utcnow
from tests.conftest import operator_body

FIRST = "0001_tenants"


def _migration_names():
    return sorted(
        name[:-3]
        for name in os.listdir(migrate.MIGRATIONS_DIR)
        if name[:4].isdigit() and name.endswith(".py")
    )


@pytest.fixture
def fresh_database_url(tmp_path, database_url):
    """A URL for an empty database; the shared proxy is restored to `database_url` afterwards."""
    if database_url.startswith("sqlite"):
        yield "sqlite:///" + str(tmp_path / "old-release.db")
        init_database(database_url)
        return

    import psycopg2

    parts = urlsplit(database_url)
    name = f"{parts.path.lstrip('/')}_mig_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(database_url)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit(parts._replace(path="/" + name))
        finally:
            init_database(database_url)  # closes the pool's connections to the fresh database
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


def _insert_with_the_first_schema(rounds=4):
    """An aggregator and an API key, written with only the columns 0001_tenants knows."""
    aggregators = Table("aggregators", ("id", "code", "name", "status", "created_at"))
    api_keys = Table(
        "api_keys",
        ("prefix", "secret_hash", "label", "created_at", "aggregator_id"),
    )
    aggregator_id = str(uuid.uuid4())
    prefix, secret, full_key = mint_key()
    with database.connection_context():
        aggregators.bind(database).insert(
            id=aggregator_id,
            code="old-timer",
            name="Old Timer Games",
            status="active",
            created_at=utcnow(),
        ).execute()
        api_keys.bind(database).insert(
            prefix=prefix,
            secret_hash=hash_secret(secret, rounds),
            label="from the first release",
            created_at=utcnow(),
            aggregator_id=aggregator_id,
        ).execute()
    return aggregator_id, full_key


def _tables():
    with database.connection_context():
        return set(database.get_tables())


def test_migrations_directory_is_in_order():
    names = _migration_names()
    assert names[0] == FIRST
    assert [int(name[:4]) for name in names] == list(range(1, len(names) + 1))


def test_database_from_the_first_release_upgrades_and_keeps_working(
    fresh_database_url, test_config
):
    init_database(fresh_database_url)
    assert migrate.upgrade(target=FIRST) == [FIRST]
    assert {"aggregators", "api_keys", "admin_keys"} <= _tables()
    assert "operators" not in _tables()
    status = dict(migrate.status())
    assert status[FIRST] is not None
    assert all(status[name] is None for name in _migration_names()[1:])

    aggregator_id, api_key = _insert_with_the_first_schema()

    applied = migrate.upgrade()
    assert applied == _migration_names()[1:]
    assert all(applied_at is not None for _, applied_at in migrate.status())
    assert "operators" in _tables()
    assert migrate.upgrade() == []

    app = backoffice.create_app({**test_config, "DATABASE_URL": fresh_database_url})
    client = app.test_client()
    headers = {"X-Aggregator-Key": api_key}

    me = client.get("/api/v1/bo/aggregator/me", headers=headers)
    assert me.status_code == 200, me.json
    assert me.json["aggregator"]["id"] == aggregator_id
    assert me.json["aggregator"]["code"] == "old-timer"
    assert me.json["aggregator"]["status"] == "active"

    created = client.post(
        "/api/v1/bo/aggregator/operators", json=operator_body("new-brand"), headers=headers
    )
    assert created.status_code == 201, created.json
    operator = created.json["operator"]
    assert operator["aggregatorId"] == aggregator_id
    assert operator["jwtSharedSecret"] and operator["walletHmacSecret"]

    listed = client.get("/api/v1/bo/aggregator/operators", headers=headers)
    assert [op["code"] for op in listed.json["operators"]] == ["new-brand"]
    keys = client.get("/api/v1/bo/aggregator/api-keys", headers=headers)
    assert [k["label"] for k in keys.json["keys"]] == ["from the first release"]

    config = client.put(
        "/api/v1/bo/aggregator/operators/new-brand/config",
        json={
            "enabledGames": ["dice"],
            "currencies": {"BTC": {"minBet": "0.000005", "maxBet": "0.01"}},
        },
        headers=headers,
    )
    assert config.status_code == 200, config.json
    assert config.json["config"]["currencies"]["BTC"]["minBet"] == "0.000005"


def test_upgrade_of_an_empty_database_applies_everything(fresh_database_url):
    init_database(fresh_database_url)
    assert _tables() == set()
    assert migrate.upgrade() == _migration_names()
    assert migrate.upgrade() == []
    assert {"aggregators", "api_keys", "admin_keys", "operators"} <= _tables()


def test_db_upgrade_cli_is_idempotent(fresh_database_url, test_config):
    app = backoffice.create_app({**test_config, "DATABASE_URL": fresh_database_url})
    runner = app.test_cli_runner()

    first = runner.invoke(args=["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert "Applied:" in first.output
    for name in _migration_names():
        assert name in first.output

    second = runner.invoke(args=["db", "upgrade"])
    assert second.exit_code == 0, second.output
    assert "up to date" in second.output.lower()
    assert "Applied" not in second.output

    status = runner.invoke(args=["db", "status"])
    assert status.exit_code == 0, status.output
    assert "pending" not in status.output
    for name in _migration_names():
        assert name in status.output


def test_db_upgrade_cli_on_the_migrated_test_database_says_up_to_date(runner):
    runner.invoke(args=["db", "upgrade"])  # in case a migration was added since the session began
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output.lower()


def test_proxy_points_back_at_the_session_database(database_url):
    """The tests above re-point the shared proxy; their fixture must have restored it."""
    assert common_db.current_url() == database_url
    with database.connection_context():
        assert "operators" in database.get_tables()
    assert is_sqlite() == database_url.startswith("sqlite")
