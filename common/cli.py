"""Commands both apps carry: schema migrations and housekeeping."""

import click
from flask.cli import AppGroup, with_appcontext

from common import migrate
from common.db import database
from common.nonces import purge_expired_nonces

db_cli = AppGroup("db", help="Database schema migrations.")
nonces_cli = AppGroup("nonces", help="Burned launch-token nonces.")


@db_cli.command("upgrade")
def db_upgrade():
    """Apply pending migrations (the Procfile's release phase runs this)."""
    applied = migrate.upgrade()
    click.echo("Applied: " + ", ".join(applied) if applied else "Database is up to date.")


@db_cli.command("status")
def db_status():
    """List migrations and when each was applied."""
    for name, applied_at in migrate.status():
        click.echo(f"{name}  {applied_at or 'pending'}")


@nonces_cli.command("purge")
def purge_nonces():
    """Delete the nonces of expired launch tokens (a live token's nonce is kept)."""
    with database.connection_context():
        click.echo(f"Purged {purge_expired_nonces()} expired nonces.")


@click.command("worker")
@with_appcontext  # run_once reads the app's config (FAULT_POINTS, wallet settings)
@click.option("--once", is_flag=True, help="Make one pass and exit (for cron or tests).")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between passes.")
def worker(once, interval):
    """Settle what requests left pending: retry wins and rollbacks until acknowledged, roll back
    stale bets, finish idle multi-step rounds."""
    from common import worker as settlement_worker

    if once:
        rolled_back, acknowledged = settlement_worker.run_once()
        click.echo(f"Rolled back {rolled_back} stale bets; {acknowledged} credits acknowledged.")
    else:
        settlement_worker.run_forever(interval)


def register_common_cli(app):
    app.cli.add_command(db_cli)
    app.cli.add_command(nonces_cli)
    app.cli.add_command(worker)
