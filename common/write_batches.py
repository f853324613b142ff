"""Write-only transactions sent to PostgreSQL in one round trip.

A bet writes its rows in three short transactions: the round with its stake's intent, the
stake's acknowledgement with what it paid for, the win's acknowledgement. Sent statement by
statement, each is BEGIN, three or four statements and COMMIT, five or six round trips that
each cost the worker and the server more CPU than the statement itself. Inside `write_batch`,
Prepared statements (and so RowInsert and RowUpdate) are queued instead, then sent as one
message wrapped in BEGIN and COMMIT when the block ends; an exception in the block sends
nothing, which leaves what a rollback would.

Only writes whose results nobody reads can wait: a Prepared select, or any other statement run
on the database while a batch is open, raises BatchMisuse rather than run out of order. SQLite
runs inside the process and has no round trips, but queues the same way, so that a misuse
fails on the database every developer tests with.
"""

import threading
from contextlib import contextmanager, suppress

from peewee import PostgresqlDatabase, __exception_wrapper__

_open = threading.local()  # .queues: {id(database): [(sql, params, prepare), ...]}


class BatchMisuse(RuntimeError):
    """Something other than a queued write would have run while a write batch was open."""


def queue_of(db):
    """This thread's open batch on `db`, or None: a list to append (sql, params, prepare) to,
    where `prepare` is the (name, sql) of the server-side statement `sql` executes, or None."""
    queues = getattr(_open, "queues", None)
    return queues.get(id(db)) if queues else None


def refuse_if_open(db, sql):
    if queue_of(db) is not None:
        raise BatchMisuse(f"a write batch is open; this would run out of order: {sql[:80]}")


@contextmanager
def write_batch(proxy):
    """One transaction of writes on `proxy`'s database, sent at the end of the block."""
    db = proxy.obj
    queues = _open.__dict__.setdefault("queues", {})
    if id(db) in queues:  # inside another batch, which sends these with its own
        yield
        return
    queue = queues[id(db)] = []
    try:
        yield
    finally:
        del queues[id(db)]
    if queue:
        _send(db, queue)


def _send(db, queue):
    if not isinstance(db, PostgresqlDatabase):
        with db.atomic():
            for sql, params, _ in queue:
                db.execute_sql(sql, params)
        return
    prepares = [prepare for _, _, prepare in queue if prepare]
    if prepares:
        db.ensure_prepared(prepares)  # a message of its own the first time on a connection
    outer = db.in_transaction()  # then the caller's transaction commits or rolls back
    cursor = db.cursor()
    statements = [cursor.mogrify(sql, params) for sql, params, _ in queue]
    if not outer:
        statements = [b"BEGIN", *statements, b"COMMIT"]
    try:
        with __exception_wrapper__:
            cursor.execute(b";\n".join(statements))
    except Exception:
        if not outer:
            # A failed statement leaves the transaction open and aborted; if even the rollback
            # fails, the connection is gone and the first error is the one to report.
            with suppress(Exception):
                db.rollback()
        raise


class BatchGuard:
    """Mixed into the database classes: nothing runs before an open batch is sent."""

    def execute_sql(self, sql, params=None):
        refuse_if_open(self, sql)
        return super().execute_sql(sql, params)

    def begin(self, *args, **kwargs):
        refuse_if_open(self, "BEGIN")
        return super().begin(*args, **kwargs)
