"""The peewee models both apps share; the schema itself is made by common/migrations."""

import uuid
from datetime import UTC, datetime

from peewee import (
    BooleanField,
    CharField,
    CompositeKey,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from common.db import database
from common.fields import JSONTextField, MoneyField

ACTIVE = "active"
DISABLED = "disabled"


def new_id():
    return str(uuid.uuid4())


def utcnow():
    """Naive UTC, the form both backends store in a plain timestamp column."""
    return datetime.now(UTC).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Aggregator(BaseModel):
    id = CharField(primary_key=True, max_length=36, default=new_id)
    code = CharField(max_length=64, unique=True)
    name = CharField(max_length=200)
    status = CharField(max_length=16, default=ACTIVE)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "aggregators"


class KeyColumns(BaseModel):
    """What is stored of a `prefix.secret` key: never the secret, only its bcrypt hash."""

    prefix = CharField(primary_key=True, max_length=12)
    secret_hash = CharField(max_length=100)
    label = CharField(max_length=200, null=True)
    created_at = DateTimeField(default=utcnow)
    last_used_at = DateTimeField(null=True)
    expires_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)

    def is_usable(self, now):
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class ApiKey(KeyColumns):
    aggregator = ForeignKeyField(Aggregator, backref="api_keys", on_delete="CASCADE")

    class Meta:
        table_name = "api_keys"


class AdminKey(KeyColumns):
    class Meta:
        table_name = "admin_keys"


class Operator(BaseModel):
    id = CharField(primary_key=True, max_length=36, default=new_id)
    code = CharField(max_length=64, unique=True)
    name = CharField(max_length=200)
    aggregator = ForeignKeyField(Aggregator, backref="operators", null=True, on_delete="RESTRICT")
    jwt_alg = CharField(max_length=8, default="HS256")
    jwt_secret_encrypted = TextField(null=True)
    jwt_public_key = TextField(null=True)
    wallet_hmac_secret_encrypted = TextField()
    wallet_base_url = CharField(max_length=2048)
    game_frontend_base_url = CharField(max_length=2048)
    wallet_timeout_ms = IntegerField(default=5000)
    status = CharField(max_length=16, default=ACTIVE)
    created_at = DateTimeField(default=utcnow)
    frontend_origin = CharField(max_length=2048, null=True, index=True)

    class Meta:
        table_name = "operators"
        indexes = ((("aggregator", "created_at", "id"), False),)


class OperatorConfig(BaseModel):
    operator = ForeignKeyField(Operator, primary_key=True, backref="config", on_delete="CASCADE")
    enabled_games = JSONTextField(default=list)
    feature_flags = JSONTextField(default=dict)
    demo_starting_balance = MoneyField(default=0)
    default_language = CharField(max_length=35, default="en")
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "operator_configs"


class OperatorCurrency(BaseModel):
    operator = ForeignKeyField(Operator, backref="currencies", on_delete="CASCADE")
    code = CharField(max_length=10)
    min_bet = MoneyField()
    max_bet = MoneyField()
    max_win = MoneyField(null=True)

    class Meta:
        table_name = "operator_currencies"
        primary_key = CompositeKey("operator", "code")


class Nonce(BaseModel):
    """A burned launch-token jti; the insert that fails on the key is what stops a replay."""

    operator = ForeignKeyField(Operator, on_delete="CASCADE")
    jti = CharField(max_length=128)
    expires_at = DateTimeField(index=True)

    class Meta:
        table_name = "nonces"
        primary_key = CompositeKey("operator", "jti")


class PlayerSession(BaseModel):
    """A launched player's session; the cookie's token is stored only as its SHA-256."""

    id = CharField(primary_key=True, max_length=36, default=new_id)
    token_hash = CharField(max_length=64, unique=True)
    operator = ForeignKeyField(Operator, on_delete="CASCADE")
    sub = CharField(max_length=128)
    currency = CharField(max_length=10)
    game = CharField(max_length=32)
    language = CharField(max_length=35, null=True)
    country = CharField(max_length=2, null=True)
    return_url = CharField(max_length=2048, null=True)
    balance = MoneyField(null=True)
    created_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    ended_at = DateTimeField(null=True)
    demo = BooleanField(default=False)

    class Meta:
        table_name = "player_sessions"


class SeedPair(BaseModel):
    """A player's provably-fair seeds; `active_key` is set only on the one active pair."""

    id = CharField(primary_key=True, max_length=36, default=new_id)
    operator = ForeignKeyField(Operator, on_delete="CASCADE")
    sub = CharField(max_length=128)
    active_key = CharField(max_length=200, null=True, unique=True)
    server_seed_encrypted = TextField()
    server_seed_hash = CharField(max_length=64)
    next_server_seed_encrypted = TextField()
    next_server_seed_hash = CharField(max_length=64)
    client_seed = CharField(max_length=64)
    nonce = IntegerField(default=0)
    busy_until = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    revealed_at = DateTimeField(null=True)
    revealed_server_seed = CharField(max_length=64, null=True)

    class Meta:
        table_name = "seed_pairs"


class Round(BaseModel):
    id = CharField(primary_key=True, max_length=36, default=new_id)
    operator = ForeignKeyField(Operator, on_delete="CASCADE")
    session = ForeignKeyField(PlayerSession, null=True, on_delete="SET NULL")
    sub = CharField(max_length=128)
    currency = CharField(max_length=10)
    game = CharField(max_length=32)
    demo = BooleanField(default=False)
    status = CharField(max_length=24)
    amount = MoneyField()
    payout = MoneyField(null=True)
    multiplier = MoneyField(null=True)
    params = JSONTextField()
    outcome = JSONTextField(null=True)
    state = JSONTextField(null=True)
    actions = JSONTextField(null=True)
    capped = BooleanField(default=False)
    seed_pair = ForeignKeyField(SeedPair, on_delete="RESTRICT")
    client_seed = CharField(max_length=64, null=True)
    nonce = IntegerField()
    idempotency_key = CharField(max_length=128, null=True)
    balance = MoneyField(null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    settled_at = DateTimeField(null=True)

    class Meta:
        table_name = "rounds"


class WalletTransaction(BaseModel):
    """One money call's intent (written before the call) and its outcome; id = transactionId."""

    id = CharField(primary_key=True, max_length=36, default=new_id)
    round = ForeignKeyField(Round, backref="transactions", on_delete="CASCADE")
    kind = CharField(max_length=16)
    amount = MoneyField()
    reference = CharField(max_length=36, null=True)
    status = CharField(max_length=16)
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(null=True)
    last_error = CharField(max_length=200, null=True)
    balance = MoneyField(null=True)
    created_at = DateTimeField(default=utcnow)
    acknowledged_at = DateTimeField(null=True)

    class Meta:
        table_name = "wallet_transactions"


class WalletAttempt(BaseModel):
    transaction = ForeignKeyField(WalletTransaction, backref="attempt_log", on_delete="CASCADE")
    request_id = CharField(max_length=36)
    started_at = DateTimeField()
    duration_ms = IntegerField()
    outcome = CharField(max_length=32)
    detail = CharField(max_length=200, null=True)

    class Meta:
        table_name = "wallet_attempts"


ALL_MODELS = [
    Aggregator,
    ApiKey,
    AdminKey,
    Operator,
    OperatorConfig,
    OperatorCurrency,
    Nonce,
    PlayerSession,
    SeedPair,
    Round,
    WalletTransaction,
    WalletAttempt,
]
