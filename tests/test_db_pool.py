"""The PostgreSQL pool: a connection the server dropped is replaced, not handed to a request."""

import psycopg2
import pytest
from playhouse.pool import _PooledPostgresqlDatabase

from common import db
from common.db import database, is_sqlite
from tests.conftest import make_aggregator


@pytest.fixture
def postgres_only(database_url):
    if is_sqlite():
        pytest.skip("the pool's liveness check is PostgreSQL's; SQLite has no server to drop it")
    return database_url


def _terminate_idle_pool_connections(url):
    """Have the server drop the connections idle in the platform's pool (only those: the other
    apps' pools in this test run must not be touched)."""
    pids = [conn.get_backend_pid() for _, _, conn in database.obj._connections]
    assert pids
    admin = psycopg2.connect(url)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s) AS pid", (pids,))
    admin.close()


def test_a_connection_dropped_while_idle_is_replaced(postgres_only, client, monkeypatch):
    aggregator = make_aggregator(client)
    assert client.get("/api/v1/bo/aggregator/me", headers=aggregator["headers"]).status_code == 200
    _terminate_idle_pool_connections(postgres_only)
    monkeypatch.setattr(db, "PING_IDLE_SECONDS", 0)  # as if the connection sat idle a while

    response = client.get("/api/v1/bo/aggregator/me", headers=aggregator["headers"])

    assert response.status_code == 200, response.json
    assert response.json["aggregator"]["code"] == aggregator["code"]


def test_a_recently_returned_connection_is_reused_without_a_ping(
    postgres_only, client, monkeypatch
):
    aggregator = make_aggregator(client)
    client.get("/api/v1/bo/aggregator/me", headers=aggregator["headers"])
    pings = []
    peewee_check = _PooledPostgresqlDatabase._is_closed  # sends SELECT 1

    def counted(self, conn):
        pings.append(conn)
        return peewee_check(self, conn)

    monkeypatch.setattr(_PooledPostgresqlDatabase, "_is_closed", counted)
    response = client.get("/api/v1/bo/aggregator/me", headers=aggregator["headers"])

    assert response.status_code == 200
    assert pings == []
    monkeypatch.setattr(db, "PING_IDLE_SECONDS", 0)
    client.get("/api/v1/bo/aggregator/me", headers=aggregator["headers"])
    assert len(pings) == 1
