"""The process's one database object, built from DATABASE_URL, and its connection hooks.

Connections come from a pool on both backends, so a request never pays for a connect (on
SQLite a connect costs about twenty indexed inserts). Nothing connects at import or app
creation, so gunicorn can fork safely. SQLite runs in WAL mode with a busy timeout, and every
transaction begins IMMEDIATE: a deferred transaction that later upgrades to a write fails at
once with "database is locked", ignoring the busy timeout.
"""

import os
import threading
import time
import weakref

from peewee import DatabaseProxy, SqliteDatabase, __exception_wrapper__
from playhouse import db_url
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

from common.fields import MONEY_COLUMN_TYPES
from common.write_batches import BatchGuard

database = DatabaseProxy()

SQLITE_BUSY_TIMEOUT_SECONDS = 10
PING_IDLE_SECONDS = 5
_current = {}  # id(proxy) -> the URL it points at


def sqlite_path(url):
    """The file path of a sqlite:/// URL (":memory:" included), without its query string."""
    # sqlite:///relative/path.db or sqlite:////absolute/path.db
    return url.split(":///", 1)[1].split("?", 1)[0]


class PooledPostgres(BatchGuard, PooledPostgresqlDatabase):
    """peewee's PostgreSQL pool, pinging a connection at check-out only after it sat idle.

    peewee sends `SELECT 1` on every check-out, a round trip on every request. A connection
    back from a request moments ago is known to work; one that sat idle for a few seconds may
    have been dropped by the server or a proxy, so it is still pinged.
    """

    def __init__(self, *args, prepare_statements=True, **kwargs):
        super().__init__(*args, **kwargs)
        self._returned_at = {}  # id(connection) -> when it was last checked in
        # Prepared queries (common/prepared.py) run as server-side prepared statements unless
        # DATABASE_PREPARED_STATEMENTS is off (a PgBouncer in transaction mode needs that).
        self.prepares_statements = prepare_statements
        self._prepared = weakref.WeakKeyDictionary()  # connection -> names prepared on it
        self._prepared_lock = threading.Lock()

    def ensure_prepared(self, statements):
        """PREPARE each (name, sql) that this thread's connection has not prepared yet."""
        conn = self.connection()
        with self._prepared_lock:
            known = self._prepared.setdefault(conn, set())
        missing = {name: sql for name, sql in statements if name not in known}
        if missing:
            sql = ";\n".join(f"PREPARE {name} AS {sql}" for name, sql in missing.items())
            with __exception_wrapper__:
                conn.cursor().execute(sql)
            known.update(missing)

    def _is_closed(self, conn):
        if conn.closed:
            return True
        returned = self._returned_at.get(id(conn))
        if returned is not None and time.monotonic() - returned < PING_IDLE_SECONDS:
            adapter = self._adapter
            status = adapter.txn_status(conn)
            if status == adapter.txn_idle:
                return False
        return super()._is_closed(conn)

    def _close(self, conn, close_conn=False):
        self._returned_at[id(conn)] = time.monotonic()
        super()._close(conn, close_conn)

    def _close_raw(self, conn):
        self._returned_at.pop(id(conn), None)
        super()._close_raw(conn)


class PooledSqlite(BatchGuard, PooledSqliteDatabase):
    """peewee's SQLite pool, with one writer at a time per process queued on a Python lock.

    SQLite lets one transaction write at a time; a connection that finds the lock taken waits in
    SQLite's busy handler, which sleeps in steps of up to 100 ms and so often sleeps long after
    the lock is free. Threads of one process wait here instead and start as soon as the writer
    before them commits; only the other processes' writers still meet the busy handler. A
    write outside a transaction (autocommit: a lease taken, a session touched) queues there too.
    """

    AUTOCOMMIT_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._writer = threading.Lock()
        self._holding = threading.local()

    def begin(self, lock_type=None):
        self._writer.acquire()
        self._holding.lock = True
        try:
            super().begin(lock_type)
        except BaseException:
            self._release()
            raise

    def commit(self):
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self._release()

    def execute_sql(self, sql, params=None):
        in_own_transaction = getattr(self._holding, "lock", False)
        if in_own_transaction or not sql.lstrip()[:7].upper().startswith(self.AUTOCOMMIT_WRITES):
            return super().execute_sql(sql, params)
        with self._writer:
            return super().execute_sql(sql, params)

    def _release(self):
        if getattr(self._holding, "lock", False):
            self._holding.lock = False
            self._writer.release()


db_url.register_database(PooledPostgres, "betterplay+postgres")
db_url.register_database(PooledSqlite, "betterplay+sqlite")


def make_database(url, pool_size=8, prepare_statements=True):
    """Return an unconnected pooled database for `url` (sqlite:// or postgresql://)."""
    scheme = url.split(":", 1)[0]
    if scheme == "sqlite":
        path = sqlite_path(url)
        if path != ":memory:" and os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
        return db_url.connect(
            "betterplay+sqlite:///" + path,
            max_connections=pool_size,
            stale_timeout=3600,
            timeout=SQLITE_BUSY_TIMEOUT_SECONDS,
            check_same_thread=False,
            lock_type="IMMEDIATE",
            field_types={"MONEY": MONEY_COLUMN_TYPES["sqlite"]},
            pragmas={
                "journal_mode": "wal",
                "busy_timeout": SQLITE_BUSY_TIMEOUT_SECONDS * 1000,
                "foreign_keys": 1,
                "synchronous": "normal",
            },
        )
    if scheme in ("postgresql", "postgres"):
        rest = url.split("://", 1)[1]
        return db_url.connect(
            "betterplay+postgres://" + rest,
            max_connections=pool_size,
            stale_timeout=300,
            timeout=10,
            field_types={"MONEY": MONEY_COLUMN_TYPES["postgresql"]},
            prepare_statements=prepare_statements,
        )
    raise ValueError(f"DATABASE_URL scheme {scheme!r} is not supported (use sqlite or postgres)")


def init_database(url, pool_size=8, proxy=database, prepare_statements=True):
    """Point `proxy` (the platform's, by default) at `url`; the same URL again is a no-op."""
    if _current.get(id(proxy)) == url and proxy.obj is not None:
        return proxy.obj
    if proxy.obj is not None:
        proxy.obj.close_all()
    proxy.initialize(make_database(url, pool_size, prepare_statements))
    _current[id(proxy)] = url
    return proxy.obj


def current_url(proxy=database):
    """The URL `proxy` points at, or None."""
    return _current.get(id(proxy))


def is_sqlite():
    return isinstance(database.obj, SqliteDatabase)


def install_request_hooks(app, proxy=database):
    """Take a pooled connection for each request and give it back afterwards."""

    def open_connection():
        proxy.connect(reuse_if_open=True)

    def close_connection(exc=None):
        if not proxy.is_closed():
            proxy.close()

    app.before_request(open_connection)
    app.teardown_request(close_connection)
