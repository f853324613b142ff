"""Writing one model row, inserted whole or updated by id, with SQL compiled once (Prepared).

Peewee's `Model.create`, `save()` and `update().execute()` rebuild their SQL on every call; on
a bet, which writes about a dozen rows, that was most of the platform's CPU. These helpers
convert each value with its field's `db_value`, as peewee does, and run SQL compiled once.

    INSERT_ROUND = RowInsert(Round)
    round_ = Round(game="dice", ...)  # the model's defaults apply, as with Round.create
    INSERT_ROUND(round_)
    UPDATE_ROUND = RowUpdate(Round)
    UPDATE_ROUND(round_.id, status="settled", settled_at=utcnow())
"""

import threading

from peewee import AutoField

from common.db import database
from common.prepared import Prepared


class RowInsert:
    """Inserts a model instance's row, every column but an auto-increment id."""

    def __init__(self, model, proxy=database):
        self._fields = [f for f in model._meta.sorted_fields if not isinstance(f, AutoField)]
        self._query = Prepared(
            lambda *values: model.insert(dict(zip(self._fields, values, strict=True))), proxy
        )

    def __call__(self, instance):
        data = instance.__data__
        self._query.execute(*(f.db_value(data.get(f.name)) for f in self._fields))
        return instance


class RowUpdate:
    """Sets some columns of the row with a given primary key; returns the rows touched."""

    def __init__(self, model, proxy=database):
        self._model = model
        self._proxy = proxy  # the platform's database, or another app's (the reference wallet's)
        self._queries = {}  # the names of the columns set -> their Prepared update
        self._lock = threading.Lock()

    def _query(self, names):
        query = self._queries.get(names)
        if query is None:
            model = self._model
            fields = [model._meta.fields[name] for name in names]
            query = Prepared(
                lambda *values: model.update(dict(zip(fields, values[:-1], strict=True))).where(
                    model._meta.primary_key == values[-1]
                ),
                self._proxy,
            )
            with self._lock:
                query = self._queries.setdefault(names, query)
        return query

    def __call__(self, key, **values):
        fields = self._model._meta.fields
        converted = [fields[name].db_value(value) for name, value in values.items()]
        return self._query(tuple(values)).execute(*converted, key)
