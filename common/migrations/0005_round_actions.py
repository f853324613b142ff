"""Multi-step rounds (action log), the max-win flag, each round's own client seed, and the
operator's default language."""

from peewee import BooleanField, CharField

from common.fields import JSONTextField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("rounds", "actions", JSONTextField(null=True)),
        migrator.add_column("rounds", "capped", BooleanField(default=False)),
        migrator.add_column("rounds", "client_seed", CharField(max_length=64, null=True)),
        migrator.add_column(
            "operator_configs", "default_language", CharField(max_length=35, default="en")
        ),
        migrator.add_index("rounds", ("operator_id", "sub", "game", "status"), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("rounds", "rounds_operator_id_sub_game_status"),
        migrator.drop_column("operator_configs", "default_language"),
        migrator.drop_column("rounds", "client_seed"),
        migrator.drop_column("rounds", "capped"),
        migrator.drop_column("rounds", "actions"),
    )
