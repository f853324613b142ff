"""The wallet's own database: a peewee proxy, a pooled connection per request, row locks.

The wallet never touches the platform's `common.db.database`: an operator runs it apart, on its
own database. `common.db.make_database` builds the pooled connection (SQLite in WAL mode with
IMMEDIATE transactions, PostgreSQL with a pool) and maps the exact MONEY column type.
"""

from peewee import DatabaseProxy, PostgresqlDatabase

from common.db import make_database

database = DatabaseProxy()
_current = {"url": None}


def init_database(url, pool_size=8):
    """Point the wallet's proxy at `url`; calling it again with the same URL is a no-op."""
    if _current["url"] == url and database.obj is not None:
        return database.obj
    if database.obj is not None:
        database.obj.close_all()
    database.initialize(make_database(url, pool_size))
    _current["url"] = url
    return database.obj


def lock_for_update(query):
    """`query` with FOR UPDATE on PostgreSQL.

    SQLite has no row locks and needs none here: every transaction begins IMMEDIATE, which
    takes the database's write lock, so money movements already run one at a time.
    """
    if isinstance(database.obj, PostgresqlDatabase):
        return query.for_update()
    return query


def open_connection():
    database.connect(reuse_if_open=True)


def close_connection(exc=None):
    if not database.is_closed():
        database.close()


def install_request_hooks(app):
    """Take a pooled connection for each request and give it back afterwards."""
    app.before_request(open_connection)
    app.teardown_request(close_connection)
