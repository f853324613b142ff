"""Seeds a platform database for the scale benchmark, straight into its tables.

    python -m bench.seed DATABASE_URL --operator-id ID --aggregator-id ID [--sub SUB ...]

Adds, by default, 100,000 operators (owned by the given aggregator, so its lookups face them
too), 1,000,000 used launch-token nonces (half on the benchmark's operator, half spread over the
seeded ones, none expired) and 1,000,000 settled dice rounds on the benchmark's operator: 100
per player, the benchmark's own players first, each player with a revealed seed pair. Rows go in
with bulk SQL: executemany inside one transaction on SQLite, COPY on PostgreSQL (then ANALYZE,
as autovacuum would soon after such a load). bench/run.py --scale calls seed().
"""

import argparse
import io
import sqlite3
import time
from datetime import UTC, datetime, timedelta

from common.db import sqlite_path

BATCH = 50_000
ROUNDS_PER_PLAYER = 100

OPERATOR_COLUMNS = (
    "id",
    "code",
    "name",
    "aggregator_id",
    "jwt_alg",
    "jwt_secret_encrypted",
    "jwt_public_key",
    "wallet_hmac_secret_encrypted",
    "wallet_base_url",
    "game_frontend_base_url",
    "wallet_timeout_ms",
    "status",
    "created_at",
    "frontend_origin",
)
NONCE_COLUMNS = ("operator_id", "jti", "expires_at")
SEED_PAIR_COLUMNS = (
    "id",
    "operator_id",
    "sub",
    "active_key",
    "server_seed_encrypted",
    "server_seed_hash",
    "next_server_seed_encrypted",
    "next_server_seed_hash",
    "client_seed",
    "nonce",
    "busy_until",
    "created_at",
    "revealed_at",
    "revealed_server_seed",
)
ROUND_COLUMNS = (
    "id",
    "operator_id",
    "session_id",
    "sub",
    "currency",
    "game",
    "demo",
    "status",
    "amount",
    "payout",
    "multiplier",
    "params",
    "outcome",
    "state",
    "seed_pair_id",
    "nonce",
    "idempotency_key",
    "balance",
    "created_at",
    "updated_at",
    "settled_at",
    "actions",
    "capped",
    "client_seed",
)
# A settled dice round, used when the database holds no real one to copy.
FALLBACK_ROUND = {
    "amount": "1",
    "payout": "0",
    "multiplier": "0",
    "params": '{"condition":"under","target":"50.00"}',
    "outcome": '{"roll":"73.12","win":false}',
}


def _timestamps(now):
    """f(seconds ago) -> the text both backends read as a naive UTC timestamp."""

    def at(seconds_ago):
        return (now - timedelta(seconds=seconds_ago)).strftime("%Y-%m-%d %H:%M:%S.%f")

    return at


class Backend:
    """Bulk inserts for one database URL."""

    def __init__(self, url):
        self.postgres = url.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            import psycopg2

            self.connection = psycopg2.connect(url.replace("postgres://", "postgresql://", 1))
        else:
            self.connection = sqlite3.connect(sqlite_path(url), timeout=60, isolation_level=None)
            self.connection.execute("PRAGMA busy_timeout = 60000")
            self.connection.execute("BEGIN IMMEDIATE")
        self.placeholder = "%s" if self.postgres else "?"

    def one(self, sql, params=()):
        cursor = self.connection.cursor()
        cursor.execute(sql.replace("?", self.placeholder), params)
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cursor.description], row, strict=True))

    def count(self, table):
        return self.one(f"SELECT COUNT(*) AS n FROM {table}")["n"]  # noqa: S608 (our names)

    def insert(self, table, columns, rows):
        """Insert `rows` (an iterable of tuples) in batches."""
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                self._flush(table, columns, batch)
                batch = []
        if batch:
            self._flush(table, columns, batch)

    def _flush(self, table, columns, batch):
        if self.postgres:
            buffer = io.StringIO()
            for row in batch:
                buffer.write("\t".join(_copy_text(value) for value in row) + "\n")
            buffer.seek(0)
            with self.connection.cursor() as cursor:
                cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
        else:
            marks = ", ".join("?" * len(columns))
            self.connection.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                batch,
            )

    def finish(self):
        if self.postgres:
            self.connection.commit()
            self.connection.autocommit = True
            with self.connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        else:
            self.connection.execute("COMMIT")
            self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.connection.close()


def _copy_text(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def seed(
    url,
    operator_id,
    aggregator_id,
    bench_subs=(),
    nonces=1_000_000,
    operators=100_000,
    rounds=1_000_000,
):
    """Insert the rows; returns {table: row count afterwards}."""
    db = Backend(url)
    at = _timestamps(datetime.now(UTC).replace(tzinfo=None))
    template = db.one(
        "SELECT jwt_secret_encrypted, wallet_hmac_secret_encrypted, wallet_base_url "
        "FROM operators WHERE id = ?",
        (operator_id,),
    )
    if template is None:
        raise ValueError(f"no operator {operator_id}")
    example = db.one(
        "SELECT amount, payout, multiplier, params, outcome FROM rounds "
        "WHERE operator_id = ? AND game = 'dice' AND status = 'settled' LIMIT 1",
        (operator_id,),
    )
    example = {k: None if v is None else str(v) for k, v in (example or FALLBACK_ROUND).items()}

    def operator_ids():
        return (f"00000000-5eed-4000-8000-{n:012d}" for n in range(operators))

    db.insert(
        "operators",
        OPERATOR_COLUMNS,
        (
            (
                op_id,
                f"seed-op-{n:06d}",
                f"Seed Operator {n}",
                aggregator_id,
                "HS256",
                template["jwt_secret_encrypted"],
                None,
                template["wallet_hmac_secret_encrypted"],
                template["wallet_base_url"],
                f"https://seed-op-{n:06d}.example/",
                5000,
                "active",
                at(n),
                f"https://seed-op-{n:06d}.example",
            )
            for n, op_id in enumerate(operator_ids())
        ),
    )
    seeded_ops = list(operator_ids()) or [operator_id]
    expires = at(-3600)  # an hour ahead: still needed, not purgeable
    db.insert(
        "nonces",
        NONCE_COLUMNS,
        (
            (
                operator_id if n % 2 == 0 else seeded_ops[n % len(seeded_ops)],
                f"seed-{n:08d}-{n * 7919 % 1_000_003:07d}",
                expires,
            )
            for n in range(nonces)
        ),
    )

    players = max(1, -(-rounds // ROUNDS_PER_PLAYER))
    subs = list(bench_subs)[:players]
    subs += [f"seed-player-{n:06d}" for n in range(players - len(subs))]
    pair_ids = [f"00000000-5eed-4000-a000-{n:012d}" for n in range(players)]
    seed_hash = "0" * 64
    db.insert(
        "seed_pairs",
        SEED_PAIR_COLUMNS,
        (
            (
                pair_id,
                operator_id,
                sub,
                None,
                "revealed",
                seed_hash,
                "revealed",
                seed_hash,
                "seed-client",
                ROUNDS_PER_PLAYER,
                None,
                at(10_000_000),
                at(1),
                "5eed" * 16,
            )
            for sub, pair_id in zip(subs, pair_ids, strict=True)
        ),
    )
    db.insert(
        "rounds",
        ROUND_COLUMNS,
        (
            (
                f"00000000-5eed-4000-9000-{n:012d}",
                operator_id,
                None,
                subs[n // ROUNDS_PER_PLAYER],
                "USDT",
                "dice",
                False,
                "settled",
                example["amount"],
                example["payout"],
                example["multiplier"],
                example["params"],
                example["outcome"],
                None,
                pair_ids[n // ROUNDS_PER_PLAYER],
                n % ROUNDS_PER_PLAYER,
                f"seed-{n:08d}",
                None,
                at(rounds - n),
                at(rounds - n),
                at(rounds - n),
                None,
                False,
                "seed-client",
            )
            for n in range(rounds)
        ),
    )
    counts = {t: db.count(t) for t in ("operators", "nonces", "seed_pairs", "rounds")}
    db.finish()
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("url", help="the platform's DATABASE_URL")
    parser.add_argument("--operator-id", required=True)
    parser.add_argument("--aggregator-id", required=True)
    parser.add_argument("--sub", action="append", default=[], help="a benchmark player")
    parser.add_argument("--nonces", type=int, default=1_000_000)
    parser.add_argument("--operators", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1_000_000)
    args = parser.parse_args()
    started = time.monotonic()
    counts = seed(
        args.url,
        args.operator_id,
        args.aggregator_id,
        args.sub,
        args.nonces,
        args.operators,
        args.rounds,
    )
    print(f"seeded in {time.monotonic() - started:.0f} s: {counts}")


if __name__ == "__main__":
    main()
