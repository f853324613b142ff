"""The wallet's players, every transaction it has answered (tombstones included), its settings.

Frozen copies of the models as they were when this migration was written: later changes to
refwallet/models.py go in new migrations, never here.
"""

from peewee import BooleanField, CharField, DateTimeField, IntegerField, Model, TextField

from common.fields import MoneyField


def _models(db):
    class Player(Model):
        sub = CharField(primary_key=True, max_length=255)
        currency = CharField(max_length=10)
        balance = MoneyField()
        frozen = BooleanField(default=False)
        created_at = DateTimeField()

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "refwallet_players"

    class Transaction(Model):
        transaction_id = CharField(primary_key=True, max_length=128)
        kind = CharField(max_length=16)
        operator = CharField(max_length=64)
        sub = CharField(max_length=255)
        currency = CharField(max_length=10)
        amount = MoneyField()
        round_id = CharField(max_length=128)
        game = CharField(max_length=64)
        reference_transaction_id = CharField(max_length=128, null=True)
        state = CharField(max_length=16, null=True)
        fingerprint = CharField(max_length=64, null=True)
        response_status = IntegerField(null=True)
        response_body = TextField(null=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "refwallet_transactions"
            indexes = ((("sub", "created_at"), False),)

    class Setting(Model):
        key = CharField(primary_key=True, max_length=64)
        value = TextField()

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "refwallet_settings"

    return [Player, Transaction, Setting]


def up(migrator, db):
    db.create_tables(_models(db))


def down(migrator, db):
    db.drop_tables(_models(db))
