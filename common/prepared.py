"""Hot-path queries whose SQL is built once per process and database dialect, then re-run.

Peewee builds a query's SQL afresh on every execution, and for a select of a dozen columns that
costs several times what SQLite or PostgreSQL take to run it: on the busiest requests
(authentication, minting, launch, bets) it was most of the platform's CPU (bench/README.md).
A `Prepared` query is written as usual, as a function of its values, and compiled once with
placeholders; later calls only bind the values and run the SQL. The function runs once, so
whatever varies between calls (the time, say) must be one of its values. Rows come back as model
instances, converted field by field as peewee does. Inserts, updates and deletes run the same
way with `execute`. A select may also take the columns of models it joins through a foreign key
(`ApiKey.select(ApiKey, Aggregator).join(Aggregator)`): each row then carries the joined row,
so `key.aggregator` costs no second query (a LEFT OUTER join that finds nothing gives None).
Values go to the driver as they are, as peewee itself sends strings,
integers, booleans, datetimes and NULL; convert anything else (money) with its field's
`db_value` first.

    KEY_BY_PREFIX = Prepared(lambda prefix: ApiKey.select().where(ApiKey.prefix == prefix))
    row = KEY_BY_PREFIX.first("0123456789ab")
"""

import threading
from datetime import datetime

from peewee import Field, ForeignKeyField, Insert, Select, Value

from common.db import database
from common.write_batches import BatchMisuse, queue_of

DRIVER_TYPES = (str, int, bool, datetime)


class Prepared:
    def __init__(self, build, proxy=database):
        self._build = build
        self._proxy = proxy  # the platform's database, or another app's (the reference wallet's)
        self._compiled = {}  # database class -> {"model", "sql", "slots", "columns"}
        self._lock = threading.Lock()

    def _compile(self, count):
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
        joined = _joined_models(query) if isinstance(query, Select) else None
        return {"model": query.model, "sql": sql, "slots": slots, "columns": None, "joined": joined}

    def _entry(self, count):
        kind = type(self._proxy.obj)
        entry = self._compiled.get(kind)
        if entry is None:
            with self._lock:
                entry = self._compiled.get(kind) or self._compile(count)
                self._compiled[kind] = entry
        return entry

    def _run(self, values, write):
        for value in values:
            if value is not None and type(value) not in DRIVER_TYPES:
                raise TypeError(f"a prepared query takes {DRIVER_TYPES} values, not {type(value)}")
        entry = self._entry(len(values))
        params = [values[s] if isinstance(s, int) else s[0] for s in entry["slots"]]
        queue = queue_of(self._proxy.obj)
        if queue is not None:  # a write batch is open (common/write_batches.py)
            if not write:
                raise BatchMisuse(f"a write batch cannot read: {entry['sql'][:80]}")
            queue.append((entry["sql"], params))
            return entry, None
        return entry, self._proxy.execute_sql(entry["sql"], params)

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

    def first(self, *values):
        for row in self.select(*values):
            return row
        return None


def _columns(model, description):
    """(field name, python_value converter) per column of a result, as peewee maps them."""
    fields = model._meta.columns  # column name -> field
    return [(fields[item[0]].name, fields[item[0]].python_value) for item in description]


def _joined_models(query):
    """For a select taking other models' columns: [(foreign key name or None, model, [(field
    name, converter)])] in column order (None: the queried model itself); None otherwise."""
    fields = query._returning
    if not all(isinstance(f, Field) for f in fields) or all(f.model is query.model for f in fields):
        return None
    groups = []
    for f in fields:
        if not groups or groups[-1][1] is not f.model:
            groups.append((_foreign_key_to(query.model, f.model), f.model, []))
        groups[-1][2].append((f.name, f.python_value))
    return groups


def _foreign_key_to(model, other):
    if other is model:
        return None
    for field in model._meta.sorted_fields:
        if isinstance(field, ForeignKeyField) and field.rel_model is other:
            return field.name
    raise ValueError(f"{model.__name__} has no foreign key to {other.__name__} to join on")


def _joined_row(model, groups, row):
    instance = model(__no_default__=1)
    at = 0
    for key, group_model, columns in groups:
        values = row[at : at + len(columns)]
        at += len(columns)
        data = {
            name: None if value is None else convert(value)
            for (name, convert), value in zip(columns, values, strict=True)
        }
        if key is None:
            instance.__data__.update(data)
        elif any(value is not None for value in values):  # else an outer join found nothing
            other = group_model(__no_default__=1)
            other.__data__ = data
            instance.__rel__[key] = other
    return instance
