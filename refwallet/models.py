"""The wallet's tables: players, the transactions it has answered (and tombstones), settings.

The schema itself is made by refwallet/migrations; these classes must match it.
"""

from datetime import UTC, datetime
from decimal import Decimal

from peewee import BooleanField, CharField, DateTimeField, IntegerField, Model, TextField

from common.fields import MoneyField
from refwallet.db import database

# Transaction kinds. A tombstone holds the transactionId of a bet that was rolled back before
# it arrived: its primary key makes the late bet collide and be refused.
BET, WIN, ROLLBACK, TOMBSTONE = "bet", "win", "rollback", "tombstone"

# States of a bet (and of a tombstone, which is always rolled_back). Wins and rollbacks have none.
OPEN = "open"  # debited, waiting for its win or rollback
SETTLED = "settled"  # a win (possibly of "0") closed it
ROLLED_BACK = "rolled_back"  # voided: its amount was refunded, or it never arrived
REFUSED = "refused"  # answered INSUFFICIENT_FUNDS or PLAYER_FROZEN; no money moved


def utcnow():
    """Naive UTC, the form both backends store in a plain timestamp column."""
    return datetime.now(UTC).replace(tzinfo=None)


class WalletModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Player(WalletModel):
    """A player account: one currency, an exact balance, and whether bets are frozen."""

    sub = CharField(primary_key=True, max_length=255)
    currency = CharField(max_length=10)
    balance = MoneyField(default=Decimal(0))
    frozen = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "refwallet_players"


class Transaction(WalletModel):
    """One transactionId the platform sent, with the answer we gave; or a tombstone.

    `fingerprint` is a SHA-256 of the request's content (everything but requestId and
    sessionId): a retry must match it to get `response_status` and `response_body` back.
    """

    transaction_id = CharField(primary_key=True, max_length=128)
    kind = CharField(max_length=16)
    operator = CharField(max_length=64)
    sub = CharField(max_length=255)
    currency = CharField(max_length=10)
    amount = MoneyField()
    round_id = CharField(max_length=128)
    game = CharField(max_length=64)
    # win/rollback: the bet's transactionId; tombstone: the rollback that left it.
    reference_transaction_id = CharField(max_length=128, null=True)
    state = CharField(max_length=16, null=True)
    fingerprint = CharField(max_length=64, null=True)
    response_status = IntegerField(null=True)
    response_body = TextField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "refwallet_transactions"
        indexes = ((("sub", "created_at"), False),)


class Setting(WalletModel):
    """A named value the CLI stores, such as the HMAC secret when the environment has none."""

    key = CharField(primary_key=True, max_length=64)
    value = TextField()

    class Meta:
        table_name = "refwallet_settings"
