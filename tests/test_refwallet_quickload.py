"""The wallet's quick load (refwallet/quickload.py) accepts exactly what marshmallow accepts,
with the same result, and leaves every refusal to marshmallow."""

from decimal import Decimal

import pytest
from marshmallow import Schema, ValidationError

from refwallet.schemas import AuthSchema, BetSchema, RollbackSchema, WinSchema

VALID = {
    "requestId": "5b0c",
    "operator": "mybrand",
    "sub": "player-123",
    "currency": "USDT",
    "sessionId": "9f2e",
    "transactionId": "t-2",
    "roundId": "r-77",
    "game": "dice",
    "amount": "2.5",
    "referenceTransactionId": "t-1",
    "extra": {"ignored": True},
}
KEYS = [key for key in VALID if key != "extra"]
ODD_VALUES = [None, 5, 2.5, True, "", "x" * 256, ["a"], {"a": 1}, "é", "USDT\n", "usdt", "0"]
AMOUNTS = ["0", "-1", "1e3", "0.0000000000000000001", "100000000000000", "٣", 3, Decimal("1")]


def variants():
    yield dict(VALID)
    for key in KEYS:
        yield {k: v for k, v in VALID.items() if k != key}
        for value in ODD_VALUES:
            yield {**VALID, key: value}
    for amount in AMOUNTS:
        yield {**VALID, "amount": amount}
    yield {**VALID, "referenceTransactionId": VALID["transactionId"]}


@pytest.mark.parametrize("schema", [AuthSchema(), BetSchema(), WinSchema(), RollbackSchema()])
def test_quick_load_agrees_with_marshmallow(schema):
    quick_taken = 0
    for body in variants():
        quick = schema._quick_load(body)
        try:
            full = Schema.load(schema, body)
        except ValidationError:
            assert quick is None, body
            continue
        if quick is not None:
            quick_taken += 1
            assert quick == full and list(quick) == list(full), body
            assert all(type(quick[k]) is type(full[k]) for k in full), body
    assert schema._quick_load(dict(VALID)) is not None
    assert quick_taken > 1


def test_a_refusal_still_comes_from_marshmallow():
    with pytest.raises(ValidationError) as error:
        WinSchema().load({**VALID, "referenceTransactionId": "t-2", "currency": "usdt"})
    assert set(error.value.messages) == {"currency"}  # field errors skip the schema check
    with pytest.raises(ValidationError) as error:
        WinSchema().load({**VALID, "referenceTransactionId": "t-2"})
    assert set(error.value.messages) == {"referenceTransactionId"}
