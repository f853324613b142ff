"""Aggregators and the keys that authenticate them and the platform admins."""

from peewee import CharField, DateTimeField, ForeignKeyField, Model


def up(migrator, db):
    class Aggregator(Model):
        id = CharField(primary_key=True, max_length=36)
        code = CharField(max_length=64, unique=True)
        name = CharField(max_length=200)
        status = CharField(max_length=16)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "aggregators"

    class KeyColumns(Model):
        prefix = CharField(primary_key=True, max_length=12)
        secret_hash = CharField(max_length=100)
        label = CharField(max_length=200, null=True)
        created_at = DateTimeField()
        last_used_at = DateTimeField(null=True)
        expires_at = DateTimeField(null=True)
        revoked_at = DateTimeField(null=True)

        class Meta:
            database = db

    class ApiKey(KeyColumns):
        aggregator = ForeignKeyField(Aggregator, on_delete="CASCADE")

        class Meta:
            table_name = "api_keys"

    class AdminKey(KeyColumns):
        class Meta:
            table_name = "admin_keys"

    db.create_tables([Aggregator, ApiKey, AdminKey])


def down(migrator, db):
    db.execute_sql("DROP TABLE admin_keys")
    db.execute_sql("DROP TABLE api_keys")
    db.execute_sql("DROP TABLE aggregators")
