"""The aggregator's view of an operator's rounds: filters, pagination, wallet transactions."""

import re
import uuid
from decimal import Decimal

import pytest

from tests.conftest import make_aggregator, make_operator
from tests.play_support import bet, launch, placed

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture
def played(games_app, world):
    """Rounds in this order: p1 dice, p1 coinflip, p2 dice, p1 keno, poor dice (void)."""
    wallet = world["wallet"]
    wallet.add_player("player-2", "USDT", "100")
    wallet.add_player("poor", "USDT", "0.5")
    p1, p2, poor = (games_app.test_client() for _ in range(3))
    launch(p1, world)
    launch(p2, world, sub="player-2")
    launch(poor, world, sub="poor")
    rounds = [
        placed(p1, "dice"),
        placed(p1, "coinflip", "2"),
        placed(p2, "dice", "3"),
        placed(p1, "keno"),
    ]
    refused = bet(poor, "dice", "1")
    assert refused.status_code == 402
    rounds.append({"id": refused.json["error"]["details"]["roundId"], "status": "void"})
    return rounds


def _rounds_url(world, operator=None):
    return f"/api/v1/bo/aggregator/operators/{operator or world['operator']['id']}/rounds"


def _list(client, world, **query):
    response = client.get(
        _rounds_url(world), query_string=query, headers=world["aggregator"]["headers"]
    )
    assert response.status_code == 200, response.json
    return response.json


def _ids(page):
    return [r["id"] for r in page["rounds"]]


def test_lists_the_operators_rounds_newest_first(client, world, played):
    page = _list(client, world)
    assert _ids(page) == [r["id"] for r in reversed(played)]
    assert page["nextCursor"] is None
    newest_settled = page["rounds"][1]
    assert newest_settled["player"] == "player-1"
    assert newest_settled["game"] == "keno" and newest_settled["status"] == "settled"
    assert newest_settled["amount"] == "1" and newest_settled["currency"] == "USDT"
    assert newest_settled["demo"] is False
    assert newest_settled["outcome"] == played[3]["outcome"]
    assert newest_settled["payout"] == played[3]["payout"]
    assert newest_settled["fairness"]["nonce"] == 2
    assert newest_settled["createdAt"].endswith("Z") and newest_settled["updatedAt"]
    void = page["rounds"][0]
    assert (void["player"], void["status"]) == ("poor", "void")


FILTERS = [
    ({"player": "player-1"}, [3, 1, 0]),
    ({"player": "player-2"}, [2]),
    ({"player": "nobody"}, []),
    ({"game": "dice"}, [4, 2, 0]),
    ({"game": "coinflip"}, [1]),
    ({"game": "mines"}, []),
    ({"status": "void"}, [4]),
    ({"status": "settled"}, [3, 2, 1, 0]),
    ({"status": "rolled_back"}, []),
    ({"player": "player-1", "game": "dice"}, [0]),
    ({"game": "dice", "status": "settled"}, [2, 0]),
]


def test_filters(client, world, played):
    for query, expected in FILTERS:
        got = _ids(_list(client, world, **query))
        assert got == [played[i]["id"] for i in expected], query


def test_time_range_filter(client, world, played):
    shown = {r["id"]: r["createdAt"] for r in _list(client, world)["rounds"]}
    second, fourth = shown[played[1]["id"]], shown[played[3]["id"]]
    # `from` includes its instant; `to` excludes it (createdAt is shown to the millisecond).
    assert _ids(_list(client, world, **{"from": second})) == [played[i]["id"] for i in (4, 3, 2, 1)]
    assert _ids(_list(client, world, to=fourth)) == [played[i]["id"] for i in (2, 1, 0)]
    window = _list(client, world, **{"from": second, "to": fourth})
    assert _ids(window) == [played[i]["id"] for i in (2, 1)]
    offset = second.replace("Z", "+00:00")
    assert _ids(_list(client, world, **{"from": offset})) == _ids(
        _list(client, world, **{"from": second})
    )
    assert _list(client, world, **{"from": "2999-01-01T00:00:00Z"})["rounds"] == []
    assert _list(client, world, to="2000-01-01T00:00:00Z")["rounds"] == []
    everything = _list(
        client, world, **{"from": "2000-01-01T00:00:00+02:00", "to": "2999-01-01T00:00:00Z"}
    )
    assert len(everything["rounds"]) == 5


def test_pagination(client, world, played):
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = _list(client, world, **query)
        pages += 1
        seen += _ids(page)
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [r["id"] for r in reversed(played)]
    filtered = _list(client, world, player="player-1", limit=2)
    assert len(filtered["rounds"]) == 2
    rest = _list(client, world, player="player-1", limit=2, cursor=filtered["nextCursor"])
    assert _ids(rest) == [played[0]["id"]] and rest["nextCursor"] is None


def test_round_detail_shows_wallet_transactions_and_attempts(client, world, played):
    round_ = played[1]
    response = client.get(
        f"{_rounds_url(world)}/{round_['id']}", headers=world["aggregator"]["headers"]
    )
    assert response.status_code == 200, response.json
    detail = response.json["round"]
    assert detail["id"] == round_["id"] and detail["player"] == "player-1"
    assert detail["amount"] == "2" and detail["payout"] == round_["payout"]
    bet_txn, win_txn = detail["transactions"]
    assert bet_txn["kind"] == "bet" and win_txn["kind"] == "win"
    assert bet_txn["amount"] == "2" and win_txn["amount"] == round_["payout"]
    assert win_txn["referenceTransactionId"] == bet_txn["transactionId"]
    assert bet_txn["referenceTransactionId"] is None
    for txn in (bet_txn, win_txn):
        assert UUID.match(txn["transactionId"])
        assert txn["status"] == "acknowledged" and txn["attempts"] == 1
        assert txn["acknowledgedAt"] and txn["lastError"] is None
        (attempt,) = txn["attemptLog"]
        assert UUID.match(attempt["requestId"]) and attempt["outcome"] == "ack"
        assert attempt["durationMs"] >= 0 and attempt["startedAt"].endswith("Z")
    assert Decimal(win_txn["balance"]) == Decimal(detail["balance"])
    assert bet_txn["attemptLog"][0]["requestId"] != win_txn["attemptLog"][0]["requestId"]
    # The transaction ids are the ones the wallet recorded for this round.
    at_wallet = [t for t in world["wallet"].transactions("player-1") if t.round_id == round_["id"]]
    assert {(t.transaction_id, t.kind) for t in at_wallet} == {
        (bet_txn["transactionId"], "bet"),
        (win_txn["transactionId"], "win"),
    }


def test_void_round_detail_shows_the_refused_bet_and_no_rollback(client, world, played):
    response = client.get(
        f"{_rounds_url(world)}/{played[4]['id']}", headers=world["aggregator"]["headers"]
    )
    assert response.status_code == 200, response.json
    detail = response.json["round"]
    assert detail["status"] == "void"
    (refused,) = detail["transactions"]
    assert refused["kind"] == "bet" and refused["status"] == "refused"
    assert refused["lastError"] == "INSUFFICIENT_FUNDS"
    (attempt,) = refused["attemptLog"]
    assert attempt["outcome"] == "refused:INSUFFICIENT_FUNDS"


def test_detail_by_operator_code_and_only_under_its_operator(client, world, played):
    url = f"/api/v1/bo/aggregator/operators/mybrand/rounds/{played[0]['id']}"
    response = client.get(url, headers=world["aggregator"]["headers"])
    assert response.status_code == 200
    assert len(_list(client, world, player="player-2")["rounds"]) == 1
    # A round is found only under its own operator, even within one aggregator.
    make_operator(client, world["aggregator"], code="sisterbrand")
    url = f"/api/v1/bo/aggregator/operators/sisterbrand/rounds/{played[0]['id']}"
    assert client.get(url, headers=world["aggregator"]["headers"]).status_code == 404


def test_unknown_round_is_404(client, world):
    for round_id in ("no-such-round", str(uuid.uuid4()), "%00", "x" * 300):
        response = client.get(
            f"{_rounds_url(world)}/{round_id}", headers=world["aggregator"]["headers"]
        )
        assert response.status_code == 404
        assert response.json["error"]["code"] == "round_not_found"


def test_another_aggregator_sees_nothing(client, world, played):
    other = make_aggregator(client, code="other-agg", name="Other")
    make_operator(client, other, code="otherbrand")
    response = client.get(_rounds_url(world), headers=other["headers"])
    assert response.status_code == 404
    response = client.get(f"{_rounds_url(world)}/{played[0]['id']}", headers=other["headers"])
    assert response.status_code == 404
    # Nor through an operator of its own.
    response = client.get(
        f"{_rounds_url(world, 'otherbrand')}/{played[0]['id']}", headers=other["headers"]
    )
    assert response.status_code == 404
    assert (
        client.get(_rounds_url(world, "otherbrand"), headers=other["headers"]).json["rounds"] == []
    )


def test_rounds_need_an_aggregator_key(client, world):
    assert client.get(_rounds_url(world)).status_code == 401
    response = client.get(_rounds_url(world), headers={"X-Aggregator-Key": "abc.def"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "query",
    [
        {"game": "poker"},
        {"status": "done"},
        {"player": ""},
        {"player": "p" * 129},
        {"player": "player\x00-1"},
        {"from": "yesterday"},
        {"to": "2026-13-01T00:00:00Z"},
        {"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "ten"},
        {"cursor": "garbage"},
    ],
)
def test_bad_filters_are_422(client, world, query):
    response = client.get(
        _rounds_url(world), query_string=query, headers=world["aggregator"]["headers"]
    )
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"]


def test_demo_rounds_show_as_demo(client, games_client, world):
    response = games_client.get("/demo/launch?operator=mybrand&game=dice&currency=USDT")
    assert response.status_code == 302
    round_ = placed(games_client, "dice")
    (listed,) = _list(client, world)["rounds"]
    assert listed["id"] == round_["id"] and listed["demo"] is True
    detail = client.get(
        f"{_rounds_url(world)}/{round_['id']}", headers=world["aggregator"]["headers"]
    )
    assert detail.json["round"]["transactions"] == []


def test_timestamps_without_an_offset_are_utc_at_both_ends(client, world, played):
    shown = {r["id"]: r["createdAt"] for r in _list(client, world)["rounds"]}
    second = shown[played[1]["id"]].removesuffix("Z")
    assert _ids(_list(client, world, **{"from": second})) == [played[i]["id"] for i in (4, 3, 2, 1)]
    assert _ids(_list(client, world, to=second)) == [played[0]["id"]]
    day = second[:10]
    assert len(_list(client, world, **{"from": day})["rounds"]) == 5
    assert _list(client, world, to=day)["rounds"] == []
