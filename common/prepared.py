"""Hot-path queries whose SQL is built once per process and database dialect, then re-run.

Peewee builds a query's SQL afresh on every execution, and for a select of a dozen columns that
costs several times what SQLite or PostgreSQL take to run it: on the busiest requests
(authentication, minting, launch, bets) it was most of the platform's CPU (bench/README.md).
A `Prepared` query is written as usual, as a function of its values, and compiled once with
placeholders; later calls only bind the values and run the SQL. The function runs once, so
whatever varies between calls (the time, say) must be one of its values. Rows come back as model
instances, converted field by field as peewee does. Inserts, updates and deletes run the same
way with `execute`, and inside a write batch (common/write_batches.py) wait to be sent with it.

A select may take the columns of models it reaches through foreign keys
(`ApiKey.select(ApiKey, Aggregator).join(Aggregator)`): each row then carries the joined rows,
so `key.aggregator` costs no second query (a LEFT OUTER join that finds nothing gives None).
`rows` returns the driver's rows as they are, for joins that no foreign key maps (one-to-many),
and `converted` turns values into Python as the fields read them.

On PostgreSQL each query is also a server-side prepared statement, prepared once per connection
(common/db.py), unless DATABASE_PREPARED_STATEMENTS is off. Values go to the driver as they are,
as peewee itself sends strings, integers, booleans, datetimes and NULL; convert anything else
(money) with its field's `db_value` first.

    KEY_BY_PREFIX = Prepared(lambda prefix: ApiKey.select().where(ApiKey.prefix == prefix))
    row = KEY_BY_PREFIX.first("0123456789ab")
"""

import hashlib
import re
import threading
from datetime import datetime

from peewee import Field, ForeignKeyField, Insert, PostgresqlDatabase, Select, Value

from common.db import database
from common.write_batches import BatchMisuse, queue_of

DRIVER_TYPES = (str, int, bool, datetime)


class Prepared:
    def __init__(self, build, proxy=database):
        self._build = build
        self._proxy = proxy  # the platform's database, or another app's (the reference wallet's)
        self._compiled = {}  # database class -> the compiled entry (see _compile)
        self._lock = threading.Lock()

    def _compile(self, count, kind):
        """{"model", "sql", "slots" (a value's index, or a 1-tuple holding a constant), the
        server-side "prepare" (name, sql) and its "execute" SQL, the "joined" models and the
        result's "columns" (set on first use)} for a database class `kind`."""
        marks = [f"\x00prepared-value-{i}\x00" for i in range(count)]
        # Unconverted placeholders: a field's db_value (money's, say) would choke on them.
        query = self._build(*(Value(mark, converter=False) for mark in marks))
        sql, params = query.sql()
        slots = [marks.index(p) if p in marks else (p,) for p in params]
        missing = set(range(count)) - {s for s in slots if isinstance(s, int)}
        if missing:
            raise ValueError(f"values {sorted(missing)} do not reach the SQL as they are")
        if isinstance(query, Insert) and len(slots) != sum(isinstance(s, int) for s in slots):
            # An insert fills unnamed columns with their defaults, which would be frozen here.
            raise ValueError("a prepared insert must name every column as a value")
        entry = {"model": query.model, "sql": sql, "slots": slots, "columns": None}
        entry["prepare"] = entry["execute"] = None
        if issubclass(kind, PostgresqlDatabase):
            # Also as a server-side prepared statement: PostgreSQL then skips parsing and
            # planning it on each run, about half its CPU for a small query (common/db.py).
            name = "bp_" + hashlib.sha256(sql.encode()).hexdigest()[:24]
            entry["prepare"] = (name, _numbered(sql))
            arguments = f"({', '.join(['%s'] * len(slots))})" if slots else ""
            entry["execute"] = f"EXECUTE {name}{arguments}"
        entry["joined"] = None
        if isinstance(query, Select) and all(isinstance(f, Field) for f in query._returning):
            entry["joined"] = _joined_models(query)
        return entry

    def _entry(self, count):
        kind = type(self._proxy.obj)
        entry = self._compiled.get(kind)
        if entry is None:
            with self._lock:
                entry = self._compiled.get(kind) or self._compile(count, kind)
                self._compiled[kind] = entry
        return entry

    def _run(self, values, write):
        for value in values:
            if value is not None and type(value) not in DRIVER_TYPES:
                raise TypeError(f"a prepared query takes {DRIVER_TYPES} values, not {type(value)}")
        entry = self._entry(len(values))
        params = [values[s] if isinstance(s, int) else s[0] for s in entry["slots"]]
        db = self._proxy.obj
        prepare = entry["prepare"] if getattr(db, "prepares_statements", False) else None
        sql = entry["execute"] if prepare else entry["sql"]
        queue = queue_of(db)
        if queue is not None:  # a write batch is open (common/write_batches.py)
            if not write:
                raise BatchMisuse(f"a write batch cannot read: {entry['sql'][:80]}")
            queue.append((sql, params, prepare))
            return entry, None
        if prepare:
            db.ensure_prepared([prepare])
        return entry, db.execute_sql(sql, params)

    def execute(self, *values):
        """Run an insert, update or delete; returns the number of rows it touched (None when
        queued in a write batch)."""
        cursor = self._run(values, write=True)[1]
        return None if cursor is None else cursor.rowcount

    def select(self, *values):
        """The query's rows as a list of model instances."""
        entry, cursor = self._run(values, write=False)
        model, joined = entry["model"], entry["joined"]
        if joined:
            if any(owner is None and other is not model for other, owner, _, _ in joined):
                raise TypeError("a joined model without a foreign key to map it: use rows()")
            return [_joined_row(model, joined, row) for row in cursor.fetchall()]
        columns = entry["columns"]
        if columns is None:
            columns = entry["columns"] = _columns(model, cursor.description)
        rows = []
        for row in cursor.fetchall():
            instance = model(__no_default__=1)
            instance.__data__ = {
                name: None if value is None else convert(value)
                for (name, convert), value in zip(columns, row, strict=True)
            }
            rows.append(instance)
        return rows

    def rows(self, *values):
        """The rows as the driver returns them, unconverted (see `converted`): for a select
        that joins tables no foreign key of the queried model reaches (one-to-many, say), whose
        repeated columns need converting only once."""
        return self._run(values, write=False)[1].fetchall()

    def first(self, *values):
        for row in self.select(*values):
            return row
        return None


def converted(fields, values):
    """`values` (part of a row from `rows`) as the `fields` they were selected by read them."""
    return [None if v is None else f.python_value(v) for f, v in zip(fields, values, strict=True)]


def _numbered(sql):
    """psycopg2's %s placeholders as PREPARE's $1, $2, ... (and %% as the % it stands for)."""
    numbers = iter(range(1, sql.count("%s") + 1))
    return re.sub(r"%[s%]", lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)


def _columns(model, description):
    """(field name, python_value converter) per column of a result, as peewee maps them."""
    fields = model._meta.columns  # column name -> field
    return [(fields[item[0]].name, fields[item[0]].python_value) for item in description]


def _joined_models(query):
    """For a select taking other models' columns: [(model, the model holding the foreign key to
    it, that key's name, [(field name, converter)])] in column order; None for one model. The
    key is looked for on the queried model, then on the models joined before (session ->
    operator -> aggregator); owner and key are None where none reaches the model."""
    fields = query._returning
    if all(f.model is query.model for f in fields):
        return None
    groups, seen = [], [query.model]
    for f in fields:
        if not groups or groups[-1][0] is not f.model:
            owner, key = None, None
            if f.model is not query.model:
                owner, key = next(
                    ((m, k) for m in seen if (k := _foreign_key_to(m, f.model))), (None, None)
                )
                seen.append(f.model)
            groups.append((f.model, owner, key, []))
        groups[-1][3].append((f.name, f.python_value))
    return groups


def _foreign_key_to(model, other):
    for field in model._meta.sorted_fields:
        if isinstance(field, ForeignKeyField) and field.rel_model is other:
            return field.name
    return None


def _joined_row(model, groups, row):
    instance = model(__no_default__=1)
    found, links, at = {model: instance}, [], 0
    for group_model, owner, key, columns in groups:
        values = row[at : at + len(columns)]
        at += len(columns)
        data = {
            name: None if value is None else convert(value)
            for (name, convert), value in zip(columns, values, strict=True)
        }
        if group_model is model:
            instance.__data__.update(data)
        elif any(value is not None for value in values):  # else an outer join found nothing
            other = found[group_model] = group_model(__no_default__=1)
            other.__data__ = data
            links.append((owner, key, other))
    for owner, key, other in links:
        if owner in found:
            found[owner].__rel__[key] = other
    return instance
