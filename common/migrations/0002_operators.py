"""Operators, their per-operator config and their currencies with bet limits."""

from peewee import (
    CharField,
    CompositeKey,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from common.fields import JSONTextField, MoneyField


def up(migrator, db):
    class Aggregator(Model):
        id = CharField(primary_key=True, max_length=36)

        class Meta:
            database = db
            table_name = "aggregators"

    class Operator(Model):
        id = CharField(primary_key=True, max_length=36)
        code = CharField(max_length=64, unique=True)
        name = CharField(max_length=200)
        aggregator = ForeignKeyField(Aggregator, null=True, on_delete="RESTRICT")
        jwt_alg = CharField(max_length=8)
        jwt_secret_encrypted = TextField(null=True)
        jwt_public_key = TextField(null=True)
        wallet_hmac_secret_encrypted = TextField()
        wallet_base_url = CharField(max_length=2048)
        game_frontend_base_url = CharField(max_length=2048)
        wallet_timeout_ms = IntegerField()
        status = CharField(max_length=16)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "operators"
            indexes = ((("aggregator", "created_at", "id"), False),)

    class OperatorConfig(Model):
        operator = ForeignKeyField(Operator, primary_key=True, on_delete="CASCADE")
        enabled_games = JSONTextField()
        feature_flags = JSONTextField()
        demo_starting_balance = MoneyField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "operator_configs"

    class OperatorCurrency(Model):
        operator = ForeignKeyField(Operator, on_delete="CASCADE")
        code = CharField(max_length=10)
        min_bet = MoneyField()
        max_bet = MoneyField()
        max_win = MoneyField(null=True)

        class Meta:
            database = db
            table_name = "operator_currencies"
            primary_key = CompositeKey("operator", "code")

    db.create_tables([Operator, OperatorConfig, OperatorCurrency])


def down(migrator, db):
    for table in ("operator_currencies", "operator_configs", "operators"):
        db.execute_sql(f"DROP TABLE {table}")
