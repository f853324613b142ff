"""Player accounts: lookups with a row lock, exact balance changes, and the CLI's admin actions."""

from decimal import Decimal

from peewee import IntegrityError

from common.money import MAX_INTEGER_DIGITS, MONEY_CONTEXT, format_amount
from common.prepared import Prepared
from common.row_writes import RowUpdate
from refwallet.db import database, lock_for_update
from refwallet.errors import INSUFFICIENT_FUNDS, LIMIT_EXCEEDED, PLAYER_NOT_FOUND, WalletError
from refwallet.models import Player, Transaction

# The MONEY column keeps 14 integer digits (NUMERIC(32, 18) on PostgreSQL).
MAX_BALANCE = Decimal(10) ** MAX_INTEGER_DIGITS

# Every call reads a player and most change a balance: their SQL is built once (see
# common/prepared.py and common/row_writes.py), since peewee building it anew would cost more
# than running it.
PLAYER = Prepared(lambda sub: Player.select().where(Player.sub == sub), proxy=database)
LOCKED_PLAYER = Prepared(
    lambda sub: lock_for_update(Player.select().where(Player.sub == sub)), proxy=database
)
UPDATE_PLAYER = RowUpdate(Player, proxy=database)


def find_player(sub, lock=False):
    """The player `sub`, locked for this transaction when `lock`; PLAYER_NOT_FOUND otherwise."""
    player = (LOCKED_PLAYER if lock else PLAYER).first(sub)
    if player is None:
        raise WalletError(PLAYER_NOT_FOUND, f"No player {sub!r} in this wallet.")
    return player


def change_balance(player, delta):
    """Add `delta` to a locked player's balance and save it."""
    # Exact Decimal arithmetic here, not `balance = balance + ?` in SQL: on SQLite the money
    # column is TEXT, and SQL arithmetic on it would go through floats. MONEY_CONTEXT, because
    # the default 28 significant digits would round 14 integer digits plus 18 decimals.
    balance = MONEY_CONTEXT.add(player.balance, delta)
    if balance >= MAX_BALANCE:
        raise WalletError(
            LIMIT_EXCEEDED,
            f"The balance would exceed the largest amount this wallet stores ({MAX_BALANCE}).",
        )
    player.balance = balance
    UPDATE_PLAYER(player.sub, balance=balance)


def add_player(sub, currency, balance=Decimal(0), frozen=False):
    """Create a player; return (player, created). An existing player is returned unchanged."""
    try:
        with database.atomic():
            player = Player.create(sub=sub, currency=currency, balance=balance, frozen=frozen)
        return player, True
    except IntegrityError:
        return Player.get_by_id(sub), False


def fund(sub, amount):
    """Add `amount` (negative to take money out) to the player's balance; never below zero."""
    with database.atomic():
        player = find_player(sub, lock=True)
        if MONEY_CONTEXT.add(player.balance, amount) < 0:
            raise WalletError(
                INSUFFICIENT_FUNDS,
                f"Player {sub!r} has only {format_amount(player.balance)} {player.currency}.",
            )
        change_balance(player, amount)
        return player


def set_frozen(sub, frozen):
    """Freeze (refuse bets) or unfreeze a player; wins and rollbacks are paid either way."""
    with database.atomic():
        player = find_player(sub, lock=True)
        player.frozen = frozen
        player.save(only=[Player.frozen])
        return player


def recent_transactions(sub, limit=10):
    """The player's latest transactions, newest first."""
    return list(
        Transaction.select()
        .where(Transaction.sub == sub)
        .order_by(Transaction.created_at.desc())
        .limit(limit)
    )
