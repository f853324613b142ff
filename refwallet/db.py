"""The wallet's own database: a peewee proxy, a pooled connection per request, row locks.

The wallet never touches the platform's `common.db.database`: an operator runs it apart, on its
own database. `common.db` builds the pooled connection (SQLite in WAL mode with IMMEDIATE
transactions, PostgreSQL with a pool), maps the exact MONEY column type, and installs the
per-request connection hooks — here for the wallet's own proxy.
"""

from functools import partial

from peewee import DatabaseProxy, PostgresqlDatabase

from common import db as platform_db

database = DatabaseProxy()

init_database = partial(platform_db.init_database, proxy=database)
install_request_hooks = partial(platform_db.install_request_hooks, proxy=database)


def lock_for_update(query):
    """`query` with FOR UPDATE on PostgreSQL.

    SQLite has no row locks and needs none here: every transaction begins IMMEDIATE, which
    takes the database's write lock, so money movements already run one at a time.
    """
    if isinstance(database.obj, PostgresqlDatabase):
        return query.for_update()
    return query
