"""Applies the schema migrations in common/migrations (the Procfile's release phase)."""

import os

from playhouse.migrations import Runner

from common.db import database

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")


def runner():
    return Runner(database.obj, directory=MIGRATIONS_DIR, table_name="schema_migrations")


def upgrade(target=None):
    """Apply pending migrations (up to and including `target`); return their names."""
    with database.connection_context():
        return runner().up(target=target)


def status():
    """[(name, applied_at or None)] for every known migration, in order."""
    with database.connection_context():
        return [(m.name, m.applied) for m in runner().status()]
