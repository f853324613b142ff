"""Game play: seed pairs, rounds, wallet transactions with their attempts, demo sessions."""

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from common.fields import JSONTextField, MoneyField


def up(migrator, db):
    class Operator(Model):
        id = CharField(primary_key=True, max_length=36)

        class Meta:
            database = db
            table_name = "operators"

    class PlayerSession(Model):
        id = CharField(primary_key=True, max_length=36)
        demo = BooleanField(default=False)

        class Meta:
            database = db
            table_name = "player_sessions"

    class SeedPair(Model):
        id = CharField(primary_key=True, max_length=36)
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
        created_at = DateTimeField()
        revealed_at = DateTimeField(null=True)
        revealed_server_seed = CharField(max_length=64, null=True)

        class Meta:
            database = db
            table_name = "seed_pairs"
            indexes = ((("operator", "sub"), False),)

    class Round(Model):
        id = CharField(primary_key=True, max_length=36)
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
        seed_pair = ForeignKeyField(SeedPair, on_delete="RESTRICT")
        nonce = IntegerField()
        idempotency_key = CharField(max_length=128, null=True)
        balance = MoneyField(null=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        settled_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "rounds"
            indexes = (
                (("operator", "sub", "idempotency_key"), True),
                (("operator", "created_at", "id"), False),
                (("operator", "sub", "created_at"), False),
                (("status", "updated_at"), False),
            )

    class WalletTransaction(Model):
        id = CharField(primary_key=True, max_length=36)
        round = ForeignKeyField(Round, on_delete="CASCADE")
        kind = CharField(max_length=16)
        amount = MoneyField()
        reference = CharField(max_length=36, null=True)
        status = CharField(max_length=16)
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField(null=True)
        last_error = CharField(max_length=200, null=True)
        balance = MoneyField(null=True)
        created_at = DateTimeField()
        acknowledged_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "wallet_transactions"
            indexes = ((("status", "next_attempt_at"), False),)

    class WalletAttempt(Model):
        transaction = ForeignKeyField(WalletTransaction, on_delete="CASCADE")
        request_id = CharField(max_length=36)
        started_at = DateTimeField()
        duration_ms = IntegerField()
        outcome = CharField(max_length=32)
        detail = CharField(max_length=200, null=True)

        class Meta:
            database = db
            table_name = "wallet_attempts"

    migrator.migrate(
        migrator.add_column("player_sessions", "demo", PlayerSession.demo),
    )
    db.create_tables([SeedPair, Round, WalletTransaction, WalletAttempt])


def down(migrator, db):
    for table in ("wallet_attempts", "wallet_transactions", "rounds", "seed_pairs"):
        db.execute_sql(f"DROP TABLE {table}")
    migrator.migrate(migrator.drop_column("player_sessions", "demo"))
