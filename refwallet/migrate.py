"""Applies the wallet's schema migrations (refwallet/migrations), recorded in their own table."""

import os

from playhouse.migrations import Runner

from refwallet.db import database

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")
# Not the platform's "schema_migrations": both may share one database.
HISTORY_TABLE = "refwallet_schema_migrations"


def runner():
    return Runner(database.obj, directory=MIGRATIONS_DIR, table_name=HISTORY_TABLE)


def upgrade(target=None):
    """Apply pending migrations (up to and including `target`); return their names."""
    with database.connection_context():
        return runner().up(target=target)


def status():
    """[(name, applied_at or None)] for every known migration, in order."""
    with database.connection_context():
        return [(m.name, m.applied) for m in runner().status()]
