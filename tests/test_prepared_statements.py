"""PostgreSQL runs the platform's hot queries as server-side prepared statements, unless
DATABASE_PREPARED_STATEMENTS is off (as behind a PgBouncer in transaction mode)."""

import pytest

from common.config import load_config
from common.db import database, is_sqlite
from tests.conftest import make_aggregator


@pytest.fixture
def postgres_only(database_url):
    if is_sqlite():
        pytest.skip("server-side prepared statements are PostgreSQL's")


def _prepared_on_pooled_connections():
    """Statement names prepared on the connections idle in the platform's pool."""
    names = set()
    for _, _, conn in database.obj._connections:
        with conn.cursor() as cursor:
            cursor.execute("SELECT name FROM pg_prepared_statements")
            names.update(row[0] for row in cursor.fetchall())
    return names


def _me(client, aggregator):
    response = client.get("/api/v1/bo/aggregator/me", headers=aggregator["headers"])
    assert response.status_code == 200, response.json
    return response


def test_hot_queries_run_as_prepared_statements(postgres_only, client):
    aggregator = make_aggregator(client)
    _me(client, aggregator)
    _me(client, aggregator)  # the second run reuses the statement the first prepared

    assert any(name.startswith("bp_") for name in _prepared_on_pooled_connections())


def test_with_prepared_statements_off_nothing_is_prepared(postgres_only, client, monkeypatch):
    aggregator = make_aggregator(client)
    database.obj.close_all()  # fresh connections, with nothing prepared on them yet
    monkeypatch.setattr(database.obj, "prepares_statements", False)

    response = _me(client, aggregator)

    assert response.json["aggregator"]["code"] == aggregator["code"]
    assert _prepared_on_pooled_connections() == set()


def test_the_setting_is_read_from_the_environment():
    assert load_config(env={"APP_ENV": "test"})["DATABASE_PREPARED_STATEMENTS"] is True
    off = load_config(env={"APP_ENV": "test", "DATABASE_PREPARED_STATEMENTS": "false"})
    assert off["DATABASE_PREPARED_STATEMENTS"] is False
