"""Launch flow: burned token nonces, player sessions, and operators' frontend origins (CORS)."""

from urllib.parse import urlsplit

from peewee import CharField, CompositeKey, DateTimeField, ForeignKeyField, Model

from common.fields import MoneyField


def _origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def up(migrator, db):
    class Operator(Model):
        id = CharField(primary_key=True, max_length=36)
        game_frontend_base_url = CharField(max_length=2048)
        frontend_origin = CharField(max_length=2048, null=True)

        class Meta:
            database = db
            table_name = "operators"

    class Nonce(Model):
        operator = ForeignKeyField(Operator, on_delete="CASCADE")
        jti = CharField(max_length=128)
        expires_at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = "nonces"
            primary_key = CompositeKey("operator", "jti")

    class PlayerSession(Model):
        id = CharField(primary_key=True, max_length=36)
        token_hash = CharField(max_length=64, unique=True)
        operator = ForeignKeyField(Operator, on_delete="CASCADE")
        sub = CharField(max_length=128)
        currency = CharField(max_length=10)
        game = CharField(max_length=32)
        language = CharField(max_length=35, null=True)
        country = CharField(max_length=2, null=True)
        return_url = CharField(max_length=2048, null=True)
        balance = MoneyField(null=True)
        created_at = DateTimeField()
        last_seen_at = DateTimeField()
        expires_at = DateTimeField()
        ended_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "player_sessions"

    migrator.migrate(migrator.add_column("operators", "frontend_origin", Operator.frontend_origin))
    for operator in Operator.select(Operator.id, Operator.game_frontend_base_url):
        Operator.update(frontend_origin=_origin(operator.game_frontend_base_url)).where(
            Operator.id == operator.id
        ).execute()
    migrator.migrate(migrator.add_index("operators", ("frontend_origin",), False))
    db.create_tables([Nonce, PlayerSession])


def down(migrator, db):
    db.execute_sql("DROP TABLE player_sessions")
    db.execute_sql("DROP TABLE nonces")
    migrator.migrate(migrator.drop_column("operators", "frontend_origin"))
