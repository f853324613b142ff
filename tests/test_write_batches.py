"""Write batches (common/write_batches.py): writes queued, sent as one transaction, all or none."""

import uuid

import pytest
from peewee import IntegrityError

from common.db import database
from common.models import Aggregator, utcnow
from common.row_writes import RowInsert
from common.write_batches import BatchMisuse, write_batch

INSERT = RowInsert(Aggregator)


def _aggregator(code, name="Batch Test Ltd"):
    return Aggregator(
        id=str(uuid.uuid4()), code=code, name=name, status="active", created_at=utcnow()
    )


def _codes():
    return sorted(a.code for a in Aggregator.select())


@pytest.fixture
def connection(database_url):
    with database.connection_context():
        yield


def test_the_writes_of_a_batch_are_all_stored_at_its_end(connection):
    with write_batch(database):
        INSERT(_aggregator("batch-one"))
        INSERT(_aggregator("batch-two"))
    assert _codes() == ["batch-one", "batch-two"]
    assert not database.in_transaction()


def test_a_failing_write_stores_none_of_the_batch_and_the_connection_goes_on(connection):
    INSERT(_aggregator("taken"))
    with pytest.raises(IntegrityError), write_batch(database):
        INSERT(_aggregator("batch-first"))
        INSERT(_aggregator("taken"))  # the code is unique
    assert _codes() == ["taken"]
    assert not database.in_transaction()
    with write_batch(database):  # the connection is usable, not left in an aborted transaction
        INSERT(_aggregator("after"))
    assert _codes() == ["after", "taken"]


def test_an_error_inside_the_block_sends_nothing(connection):
    with pytest.raises(RuntimeError), write_batch(database):
        INSERT(_aggregator("never"))
        raise RuntimeError("the block fails before its end")
    assert _codes() == []


def test_reads_and_unqueued_statements_inside_a_batch_are_refused(connection):
    with pytest.raises(BatchMisuse), write_batch(database):
        INSERT(_aggregator("queued"))
        Aggregator.select().count()  # would run before the queued insert
    with pytest.raises(BatchMisuse), write_batch(database), database.atomic():
        pass
    assert _codes() == []


def test_a_batch_inside_a_transaction_is_rolled_back_with_it(connection):
    with pytest.raises(RuntimeError), database.atomic():
        INSERT(_aggregator("outer"))
        with write_batch(database):
            INSERT(_aggregator("inner"))
        assert _codes() == ["inner", "outer"]
        raise RuntimeError("the outer transaction fails")
    assert _codes() == []


def test_nested_batches_are_sent_together(connection):
    with write_batch(database):
        INSERT(_aggregator("outer"))
        with write_batch(database):
            INSERT(_aggregator("inner"))
        with pytest.raises(BatchMisuse):
            _codes()
    assert _codes() == ["inner", "outer"]
