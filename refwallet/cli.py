"""`flask --app refwallet.wsgi wallet ...`: the schema, the players and the HMAC secret."""

import re
from functools import wraps

import click
from flask import current_app
from flask.cli import AppGroup

from common.money import AmountError, format_amount, parse_amount
from refwallet import migrate, players
from refwallet.config import ConfigError, store_hmac_secret
from refwallet.db import database
from refwallet.errors import WalletError

wallet_cli = AppGroup("wallet", help="Reference wallet: schema, players and the HMAC secret.")

CURRENCY_PATTERN = re.compile(r"^[A-Z0-9]{2,10}$")


class AmountType(click.ParamType):
    """A decimal amount such as 100 or 0.000005, parsed exactly."""

    name = "amount"

    def convert(self, value, param, ctx):
        try:
            return parse_amount(value)
        except AmountError as exc:
            self.fail(f"{value!r}: {exc}", param, ctx)


class CurrencyType(click.ParamType):
    name = "currency"

    def convert(self, value, param, ctx):
        if not CURRENCY_PATTERN.match(value):
            self.fail(f"{value!r} is not 2 to 10 capital letters or digits.", param, ctx)
        return value


AMOUNT = AmountType()


def command(name):
    """A `wallet` command that runs inside a database connection and reports errors plainly."""

    def decorator(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                with database.connection_context():
                    return fn(*args, **kwargs)
            except WalletError as exc:
                raise click.ClickException(f"{exc.message} ({exc.code})") from None
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None

        return wallet_cli.command(name)(wrapper)

    return decorator


def describe(player):
    state = "frozen" if player.frozen else "active"
    return f"{player.sub}: {format_amount(player.balance)} {player.currency}, {state}"


@command("db-upgrade")
def db_upgrade():
    """Create or upgrade the wallet's tables (run it on every deploy)."""
    applied = migrate.upgrade()
    click.echo("Applied: " + ", ".join(applied) if applied else "Wallet database is up to date.")


@command("add-player")
@click.argument("sub")
@click.option("--currency", required=True, type=CurrencyType(), help="e.g. USDT, BTC.")
@click.option("--balance", type=AMOUNT, default="0", show_default=True)
@click.option("--frozen", is_flag=True, help="Refuse the player's bets.")
def add_player(sub, currency, balance, frozen):
    """Create a player; an existing player is left unchanged."""
    if balance < 0:
        raise click.BadParameter("must not be negative.", param_hint="--balance")
    player, created = players.add_player(sub, currency, balance, frozen)
    if created:
        click.echo(f"Created {describe(player)}.")
    else:
        click.echo(
            f"Player already exists, left unchanged: {describe(player)}. "
            "Use `fund`, `freeze` or `unfreeze` to change it."
        )


@command("fund")
@click.argument("sub")
@click.argument("amount", type=AMOUNT)
def fund(sub, amount):
    """Add AMOUNT to the balance (negative takes money out: `fund SUB -- -5`)."""
    click.echo(f"{describe(players.fund(sub, amount))}.")


@command("freeze")
@click.argument("sub")
def freeze(sub):
    """Refuse the player's bets (wins and rollbacks are still paid)."""
    click.echo(f"{describe(players.set_frozen(sub, True))}.")


@command("unfreeze")
@click.argument("sub")
def unfreeze(sub):
    """Accept the player's bets again."""
    click.echo(f"{describe(players.set_frozen(sub, False))}.")


@command("show-player")
@click.argument("sub")
@click.option("--last", default=10, show_default=True, type=click.IntRange(0, 1000))
def show_player(sub, last):
    """Print the player and their latest transactions."""
    player = players.find_player(sub)
    click.echo(describe(player) + f" (since {player.created_at:%Y-%m-%d %H:%M:%S} UTC)")
    for row in players.recent_transactions(sub, last):
        state = f" [{row.state}]" if row.state else ""
        reference = f" -> {row.reference_transaction_id}" if row.reference_transaction_id else ""
        status = f" {row.response_status}" if row.response_status else ""
        click.echo(
            f"  {row.created_at:%Y-%m-%d %H:%M:%S} {row.kind:<9} {row.transaction_id} "
            f"{format_amount(row.amount)} round {row.round_id}{reference}{status}{state}"
        )


@command("set-hmac-secret")
@click.argument("secret")
def set_hmac_secret(secret):
    """Store the operator's walletHmacSecret (WALLET_HMAC_SECRET, when set, takes precedence)."""
    store_hmac_secret(secret)
    click.echo("HMAC secret stored.")
    if current_app.config.get("WALLET_HMAC_SECRET"):
        click.echo("Note: WALLET_HMAC_SECRET is set in the environment and takes precedence.")
