"""Applies the wallet's schema migrations (refwallet/migrations), recorded in their own table."""

import os

from common.migrate import Migrations
from refwallet.db import database

# Not the platform's "schema_migrations": both may share one database.
WALLET = Migrations(
    database, os.path.join(os.path.dirname(__file__), "migrations"), "refwallet_schema_migrations"
)
MIGRATIONS_DIR, HISTORY_TABLE = WALLET.directory, WALLET.table_name
runner, upgrade, status = WALLET.runner, WALLET.upgrade, WALLET.status
