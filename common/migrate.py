"""Applies schema migrations: the platform's (common/migrations), or another app's own set."""

import os
from dataclasses import dataclass

from playhouse.migrations import Runner

from common.db import database


@dataclass(frozen=True)
class Migrations:
    """A directory of numbered migrations for one database proxy, with its history table."""

    proxy: object
    directory: str
    table_name: str

    def runner(self):
        return Runner(self.proxy.obj, directory=self.directory, table_name=self.table_name)

    def upgrade(self, target=None):
        """Apply pending migrations (up to and including `target`); return their names."""
        with self.proxy.connection_context():
            return self.runner().up(target=target)

    def status(self):
        """[(name, applied_at or None)] for every known migration, in order."""
        with self.proxy.connection_context():
            return [(m.name, m.applied) for m in self.runner().status()]


PLATFORM = Migrations(
    database, os.path.join(os.path.dirname(__file__), "migrations"), "schema_migrations"
)
MIGRATIONS_DIR = PLATFORM.directory
runner, upgrade, status = PLATFORM.runner, PLATFORM.upgrade, PLATFORM.status
