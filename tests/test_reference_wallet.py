"""The reference wallet speaks SPEC section 6 exactly: signatures, money rules, idempotency."""

import json
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests
from werkzeug.serving import make_server

from common.signing import SignatureError, signed_headers, verify
from refwallet import create_app, migrate, players
from refwallet.db import database
from refwallet.models import BET, OPEN, ROLLED_BACK, TOMBSTONE, Player, Setting, Transaction

SECRET = "reference-wallet-test-secret-0123456789abcdef"
MISSING = object()


def wallet_database_url(tmp_path_factory):
    """TEST_DATABASE_URL (the wallet's tables are prefixed), else an SQLite file of its own."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("wallet") / "wallet.db")


def empty_wallet_tables():
    with database.connection_context():
        for model in (Transaction, Player, Setting):
            model.delete().execute()


@pytest.fixture(scope="module")
def wallet_app(database_url, tmp_path_factory):
    # `database_url` (conftest) drops every table of a shared PostgreSQL database once per
    # session, so it must run before the wallet's migrations.
    app = create_app(
        {"WALLET_DATABASE_URL": wallet_database_url(tmp_path_factory), "WALLET_HMAC_SECRET": SECRET}
    )
    migrate.upgrade()
    return app


@pytest.fixture(autouse=True)
def empty_wallet(wallet_app):
    empty_wallet_tables()


@pytest.fixture
def wallet(wallet_app):
    return wallet_app.test_client()


@pytest.fixture
def live_wallet(wallet_app):
    """The wallet on a real local port, one thread per request."""
    server = make_server("127.0.0.1", 0, wallet_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def add_player(sub="alice", currency="USDT", balance="100", frozen=False):
    with database.connection_context():
        players.add_player(sub, currency, Decimal(balance), frozen)


def balance_of(sub="alice"):
    with database.connection_context():
        return Player.get_by_id(sub).balance


def call_body(**fields):
    """An /auth body; other calls add their fields. requestId is new on every attempt."""
    body = {
        "requestId": str(uuid.uuid4()),
        "operator": "mybrand",
        "sub": "alice",
        "currency": "USDT",
        "sessionId": "session-1",
    }
    body.update(fields)
    return {key: value for key, value in body.items() if value is not MISSING}


def money_body(transaction_id, amount, reference=None, **fields):
    extra = {"transactionId": transaction_id, "roundId": "round-1", "game": "dice"}
    extra["amount"] = amount
    if reference is not None:
        extra["referenceTransactionId"] = reference
    extra.update(fields)
    return call_body(**extra)


def call(client, path, body, secret=SECRET, now=None, raw=None):
    """POST a signed call; every answer, errors included, must carry a valid signature."""
    data = raw if raw is not None else json.dumps(body).encode()
    headers = {**signed_headers(secret, data, now), "Content-Type": "application/json"}
    response = client.post(path, data=data, headers=headers)
    verify(SECRET, response.headers, response.get_data())
    return response


def error_code(response):
    return response.get_json()["error"]["code"]


# auth


def test_auth_reports_balance_currency_and_freeze_flag(wallet):
    add_player(balance="100.5")
    response = call(wallet, "/auth", call_body())
    assert response.status_code == 200
    assert response.get_json() == {
        "sub": "alice",
        "balance": "100.5",
        "currency": "USDT",
        "frozen": False,
    }


def test_auth_of_a_frozen_player_answers_frozen(wallet):
    add_player(frozen=True)
    response = call(wallet, "/auth", call_body())
    assert response.status_code == 200
    assert response.get_json()["frozen"] is True


def test_auth_of_an_unknown_player_is_404(wallet):
    response = call(wallet, "/auth", call_body(sub="nobody"))
    assert response.status_code == 404
    assert error_code(response) == "PLAYER_NOT_FOUND"


def test_auth_in_another_currency_is_a_mismatch(wallet):
    add_player(currency="BTC")
    response = call(wallet, "/auth", call_body(currency="USDT"))
    assert response.status_code == 409
    assert response.get_json()["error"] == {
        "code": "CURRENCY_MISMATCH",
        "message": "Player 'alice' plays in BTC, not USDT.",
        "details": {"currency": "BTC"},
    }


# bet, win, rollback


def test_bet_then_win_moves_exact_amounts(wallet):
    add_player(currency="BTC", balance="0.00001")
    bet = call(wallet, "/bet", money_body("bet-1", "0.000005", currency="BTC"))
    assert bet.status_code == 200
    assert bet.get_json() == {"balance": "0.000005", "transactionId": "bet-1"}
    won = call(wallet, "/win", money_body("win-1", "0.000015", "bet-1", currency="BTC"))
    assert won.status_code == 200
    assert won.get_json() == {"balance": "0.00002", "transactionId": "win-1"}
    assert balance_of() == Decimal("0.00002")


def test_large_balances_keep_all_eighteen_decimal_places(wallet):
    add_player(balance="12345678901234.123456789012345678")
    response = call(wallet, "/bet", money_body("bet-1", "0.000000000000000001"))
    assert response.get_json()["balance"] == "12345678901234.123456789012345677"
    assert balance_of() == Decimal("12345678901234.123456789012345677")
    with database.connection_context():
        assert Transaction.get_by_id("bet-1").amount == Decimal("1E-18")


def test_a_win_of_zero_closes_a_lost_round(wallet):
    add_player()
    call(wallet, "/bet", money_body("bet-1", "10"))
    response = call(wallet, "/win", money_body("win-1", "0", "bet-1"))
    assert response.get_json() == {"balance": "90", "transactionId": "win-1"}
    again = call(wallet, "/win", money_body("win-2", "5", "bet-1"))
    assert again.status_code == 400
    assert "already settled" in again.get_json()["error"]["message"]
    assert balance_of() == Decimal(90)


def test_a_bet_beyond_the_balance_is_refused_with_the_balance(wallet):
    add_player(balance="5.25")
    response = call(wallet, "/bet", money_body("bet-1", "5.250001"))
    assert response.status_code == 402
    error = response.get_json()["error"]
    assert error["code"] == "INSUFFICIENT_FUNDS"
    assert error["details"] == {"balance": "5.25"}
    assert balance_of() == Decimal("5.25")


def test_a_frozen_player_cannot_bet_but_is_still_paid(wallet):
    add_player()
    call(wallet, "/bet", money_body("bet-1", "10"))
    call(wallet, "/bet", money_body("bet-2", "20", roundId="round-2"))
    with database.connection_context():
        players.set_frozen("alice", True)
    refused = call(wallet, "/bet", money_body("bet-3", "1", roundId="round-3"))
    assert refused.status_code == 403
    assert error_code(refused) == "PLAYER_FROZEN"
    assert call(wallet, "/win", money_body("win-1", "25", "bet-1")).status_code == 200
    rollback = money_body("rb-2", "20", "bet-2", roundId="round-2", sessionId="ended")
    assert call(wallet, "/rollback", rollback).get_json()["balance"] == "115"


def test_bets_of_unknown_players_and_other_currencies_are_refused(wallet):
    add_player()
    unknown = call(wallet, "/bet", money_body("bet-1", "1", sub="nobody"))
    assert (unknown.status_code, error_code(unknown)) == (404, "PLAYER_NOT_FOUND")
    mismatch = call(wallet, "/bet", money_body("bet-2", "1", currency="EUR"))
    assert (mismatch.status_code, error_code(mismatch)) == (409, "CURRENCY_MISMATCH")
    # Neither was an answer to the transaction: the corrected call goes through.
    assert call(wallet, "/bet", money_body("bet-2", "1")).status_code == 200


def test_a_rollback_refunds_the_bet_once(wallet):
    add_player()
    call(wallet, "/bet", money_body("bet-1", "10"))
    first = call(wallet, "/rollback", money_body("rb-1", "10", "bet-1"))
    assert first.get_json() == {"balance": "100", "transactionId": "rb-1"}
    repeated = call(wallet, "/rollback", money_body("rb-1", "10", "bet-1"))
    assert repeated.get_data() == first.get_data()
    another = call(wallet, "/rollback", money_body("rb-2", "10", "bet-1"))
    assert another.get_json() == {"balance": "100", "transactionId": "rb-2"}
    assert balance_of() == Decimal(100)
    with database.connection_context():
        assert Transaction.get_by_id("bet-1").state == ROLLED_BACK


def test_a_win_for_a_rolled_back_bet_is_refused(wallet):
    add_player()
    call(wallet, "/bet", money_body("bet-1", "10"))
    call(wallet, "/rollback", money_body("rb-1", "10", "bet-1"))
    response = call(wallet, "/win", money_body("win-1", "30", "bet-1"))
    assert response.status_code == 400
    assert error_code(response) == "INVALID_REQUEST"
    assert "rolled back" in response.get_json()["error"]["message"]
    assert balance_of() == Decimal(100)


@pytest.mark.parametrize(
    ("reference", "fields", "message"),
    [
        ("bet-404", {}, "unknown"),
        ("bet-1", {"roundId": "round-2"}, "another player or another round"),
        ("win-1", {}, "is a win, not a bet"),
    ],
)
def test_a_win_must_reference_an_open_bet_of_its_round(wallet, reference, fields, message):
    add_player()
    call(wallet, "/bet", money_body("bet-1", "10"))
    call(wallet, "/win", money_body("win-1", "0", "bet-1"))
    response = call(wallet, "/win", money_body("win-2", "5", reference, **fields))
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]


def test_a_settled_bet_cannot_be_rolled_back(wallet):
    add_player()
    call(wallet, "/bet", money_body("bet-1", "10"))
    call(wallet, "/win", money_body("win-1", "15", "bet-1"))
    response = call(wallet, "/rollback", money_body("rb-1", "10", "bet-1"))
    assert response.status_code == 400
    assert balance_of() == Decimal(105)


def test_a_rollback_of_an_unknown_bet_leaves_a_tombstone_that_refuses_the_late_bet(wallet):
    add_player()
    rollback = call(wallet, "/rollback", money_body("rb-1", "10", "bet-late"))
    assert rollback.status_code == 200
    assert rollback.get_json() == {"balance": "100", "transactionId": "rb-1"}
    late = call(wallet, "/bet", money_body("bet-late", "10"))
    assert late.status_code == 409
    assert error_code(late) == "DUPLICATE_TRANSACTION"
    assert "rolled back" in late.get_json()["error"]["message"]
    assert call(wallet, "/rollback", money_body("rb-1", "10", "bet-late")).status_code == 200
    assert call(wallet, "/win", money_body("win-1", "5", "bet-late")).status_code == 400
    assert balance_of() == Decimal(100)
    with database.connection_context():
        tombstone = Transaction.get_by_id("bet-late")
    assert (tombstone.kind, tombstone.state) == (TOMBSTONE, ROLLED_BACK)


def test_a_win_beyond_the_storable_balance_is_refused(wallet):
    add_player(balance="99999999999999")
    call(wallet, "/bet", money_body("bet-1", "1"))
    response = call(wallet, "/win", money_body("win-1", "2", "bet-1"))
    assert (response.status_code, error_code(response)) == (403, "LIMIT_EXCEEDED")
    assert balance_of() == Decimal("99999999999998")


# idempotency


def test_a_repeated_bet_returns_the_original_answer_and_moves_no_money(wallet):
    add_player()
    first = call(wallet, "/bet", money_body("bet-1", "10"))
    call(wallet, "/bet", money_body("bet-2", "5", roundId="round-2"))
    retry = call(wallet, "/bet", money_body("bet-1", "10.000", sessionId="session-2"))
    assert retry.status_code == 200
    assert retry.get_data() == first.get_data()
    assert retry.get_json() == {"balance": "90", "transactionId": "bet-1"}
    assert balance_of() == Decimal(85)


def test_a_repeated_win_returns_the_original_answer(wallet):
    add_player()
    call(wallet, "/bet", money_body("bet-1", "10"))
    first = call(wallet, "/win", money_body("win-1", "30", "bet-1"))
    retry = call(wallet, "/win", money_body("win-1", "30", "bet-1"))
    assert (retry.status_code, retry.get_data()) == (200, first.get_data())
    assert balance_of() == Decimal(120)


def test_a_refusal_is_the_answer_to_its_transaction(wallet):
    add_player(balance="1")
    first = call(wallet, "/bet", money_body("bet-1", "10"))
    with database.connection_context():
        players.fund("alice", Decimal(50))
    retry = call(wallet, "/bet", money_body("bet-1", "10"))
    assert (retry.status_code, retry.get_data()) == (402, first.get_data())
    assert balance_of() == Decimal(51)


@pytest.mark.parametrize(
    ("path", "fields", "changed"),
    [
        ("/bet", {"amount": "11"}, ["amount"]),
        ("/bet", {"sub": "bob"}, ["sub"]),
        ("/bet", {"roundId": "round-2"}, ["roundId"]),
        ("/bet", {"game": "crash"}, ["game"]),
        ("/bet", {"operator": "otherbrand"}, ["operator"]),
        ("/bet", {"currency": "BTC"}, ["currency"]),
        ("/win", {"referenceTransactionId": "bet-0"}, ["kind", "referenceTransactionId"]),
        ("/rollback", {"referenceTransactionId": "bet-0"}, ["kind", "referenceTransactionId"]),
    ],
)
def test_a_transaction_id_with_other_content_is_a_duplicate(wallet, path, fields, changed):
    add_player()
    add_player("bob")
    call(wallet, "/bet", money_body("bet-1", "10"))
    response = call(wallet, path, money_body("bet-1", fields.pop("amount", "10"), **fields))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "DUPLICATE_TRANSACTION"
    assert error["details"] == {"fields": changed}
    assert (balance_of(), balance_of("bob")) == (Decimal(90), Decimal(100))


# signatures and malformed calls


def test_answers_are_signed_over_their_exact_bytes(wallet):
    add_player()
    response = call(wallet, "/auth", call_body())
    with pytest.raises(SignatureError):
        verify(SECRET, response.headers, response.get_data() + b" ")


def _drop(header):
    def change(headers, data):
        del headers[header]

    return change


def _set(header, value):
    def change(headers, data):
        headers[header] = value

    return change


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(_drop("X-Signature"), id="no-signature"),
        pytest.param(_drop("X-Timestamp"), id="no-timestamp"),
        pytest.param(_set("X-Timestamp", "soon"), id="timestamp-not-a-number"),
        pytest.param(_set("X-Signature", "0" * 64), id="wrong-signature"),
        pytest.param(_set("X-Timestamp", str(int(time.time()) - 301)), id="stale"),
        pytest.param(
            lambda headers, data: headers.update(signed_headers(SECRET, data, time.time() - 301)),
            id="stale-but-signed",
        ),
        pytest.param(
            lambda headers, data: headers.update(signed_headers(SECRET, data, time.time() + 301)),
            id="future-but-signed",
        ),
        pytest.param(
            lambda headers, data: headers.update(signed_headers("another-secret-" * 3, data)),
            id="other-secret",
        ),
        pytest.param(
            lambda headers, data: headers.update(signed_headers(SECRET, data + b" ")),
            id="other-body",
        ),
    ],
)
def test_calls_without_a_valid_fresh_signature_are_refused(wallet, tamper):
    add_player()
    data = json.dumps(money_body("bet-1", "10")).encode()
    headers = {**signed_headers(SECRET, data), "Content-Type": "application/json"}
    tamper(headers, data)
    response = wallet.post("/bet", data=data, headers=headers)
    verify(SECRET, response.headers, response.get_data())
    assert response.status_code == 401
    assert error_code(response) == "INVALID_SIGNATURE"
    assert balance_of() == Decimal(100)


def test_a_timestamp_within_tolerance_is_accepted(wallet):
    add_player()
    response = call(wallet, "/auth", call_body(), now=time.time() - 290)
    assert response.status_code == 200


def test_the_signature_is_checked_before_the_body_is_parsed(wallet):
    headers = {**signed_headers("another-secret-" * 3, b"{not json"), "X-Extra": "1"}
    response = wallet.post("/bet", data=b"{not json", headers=headers)
    assert (response.status_code, error_code(response)) == (401, "INVALID_SIGNATURE")


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"", b"[]", b'"bet"', b"\xff\xfe{}", b"[" * 5000 + b"]" * 5000],
    ids=["malformed", "empty", "array", "string", "not-utf8", "too-deep"],
)
def test_a_signed_body_that_is_not_a_json_object_is_invalid(wallet, raw):
    response = call(wallet, "/bet", None, raw=raw)
    assert (response.status_code, error_code(response)) == (400, "INVALID_REQUEST")


@pytest.mark.parametrize(
    ("path", "fields", "field"),
    [
        ("/bet", {"amount": 1.5}, "amount"),
        ("/bet", {"amount": 2}, "amount"),
        ("/bet", {"amount": "0"}, "amount"),
        ("/bet", {"amount": "-1"}, "amount"),
        ("/bet", {"amount": "ten"}, "amount"),
        ("/bet", {"amount": "NaN"}, "amount"),
        ("/bet", {"amount": "0.0000000000000000001"}, "amount"),
        ("/bet", {"amount": "100000000000000"}, "amount"),
        ("/bet", {"currency": "usdt"}, "currency"),
        ("/bet", {"transactionId": MISSING}, "transactionId"),
        ("/bet", {"transactionId": ""}, "transactionId"),
        ("/bet", {"roundId": None}, "roundId"),
        ("/bet", {"sub": 42}, "sub"),
        ("/bet", {"requestId": MISSING}, "requestId"),
        ("/bet", {"sessionId": MISSING}, "sessionId"),
        ("/win", {"amount": "-0.000001"}, "amount"),
        ("/win", {"referenceTransactionId": MISSING}, "referenceTransactionId"),
        ("/rollback", {"referenceTransactionId": "tx-1"}, "referenceTransactionId"),
        ("/auth", {"operator": MISSING}, "operator"),
    ],
)
def test_invalid_fields_are_listed(wallet, path, fields, field):
    add_player()
    body = money_body("tx-1", fields.pop("amount", "1"), "bet-0", **fields)
    response = call(wallet, path, body)
    assert (response.status_code, error_code(response)) == (400, "INVALID_REQUEST")
    assert field in response.get_json()["error"]["details"]["fields"]
    assert balance_of() == Decimal(100)


def test_unknown_fields_are_ignored(wallet):
    add_player()
    response = call(wallet, "/auth", call_body(country="US", future="field"))
    assert response.status_code == 200


def test_unknown_paths_and_methods_answer_the_error_shape(wallet):
    missing = wallet.post("/deposit", data=b"{}")
    verify(SECRET, missing.headers, missing.get_data())
    assert (missing.status_code, error_code(missing)) == (404, "INVALID_REQUEST")
    wrong_method = wallet.get("/bet")
    verify(SECRET, wrong_method.headers, wrong_method.get_data())
    assert (wrong_method.status_code, error_code(wrong_method)) == (405, "INVALID_REQUEST")
    assert "POST" in wrong_method.headers["Allow"]


def test_health(wallet):
    response = wallet.get("/health")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_migrations_are_recorded_in_their_own_table(wallet_app):
    assert [name for name, applied in migrate.status() if applied] == ["0001_initial"]
    assert migrate.upgrade() == []
    with database.connection_context():
        tables = set(database.get_tables())
    expected = {"refwallet_players", "refwallet_transactions", "refwallet_settings"}
    assert expected | {"refwallet_schema_migrations"} <= tables


# concurrency, over real HTTP


def post(base_url, path, body):
    data = json.dumps(body).encode()
    headers = {**signed_headers(SECRET, data), "Content-Type": "application/json"}
    response = requests.post(base_url + path, data=data, headers=headers, timeout=30)
    verify(SECRET, response.headers, response.content)
    return response


def post_all_at_once(base_url, path, bodies):
    start = threading.Barrier(len(bodies))

    def send(body):
        start.wait()
        return post(base_url, path, body)

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(send, bodies))


def test_concurrent_bets_never_overdraw(live_wallet):
    add_player(currency="BTC", balance="0.00005")
    bodies = [
        money_body(f"bet-{i}", "0.000005", roundId=f"round-{i}", currency="BTC") for i in range(20)
    ]
    responses = post_all_at_once(live_wallet, "/bet", bodies)
    statuses = [r.status_code for r in responses]
    assert (statuses.count(200), statuses.count(402)) == (10, 10)
    balances = sorted(Decimal(r.json()["balance"]) for r in responses if r.status_code == 200)
    assert balances == [Decimal("0.000005") * i for i in range(10)]
    assert balance_of() == Decimal(0)
    with database.connection_context():
        assert Transaction.select().where(Transaction.state == OPEN).count() == 10


def test_concurrent_retries_of_one_bet_debit_once(live_wallet):
    add_player()
    responses = post_all_at_once(live_wallet, "/bet", [money_body("bet-1", "7") for _ in range(10)])
    assert {(r.status_code, r.content) for r in responses} == {
        (200, b'{"balance":"93","transactionId":"bet-1"}')
    }
    assert balance_of() == Decimal(93)
    with database.connection_context():
        assert Transaction.select().where(Transaction.kind == BET).count() == 1
