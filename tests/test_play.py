"""Playing the eight single-round games over HTTP against the reference wallet (GAMES.md 2, 5)."""

import re
from decimal import Decimal

import pytest

from games.fairness import float_stream, seed_hash
from games.rules import rules_for
from tests.play_support import (
    OUTCOME_FIELDS,
    VALID_PARAMS,
    bet,
    error_code,
    launch,
    net,
    placed,
    put_config,
    rotate,
    verify,
)
from tests.world import GAMES

CARD = re.compile(r"^(?:[2-9]|10|[JQKA])[DHSC]$")
RED = {1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36}
ROUND_FIELDS = {"id", "game", "status", "amount", "payout", "multiplier", "outcome", "fairness"}


def _card_points(card):
    rank = card[:-1]
    return 1 if rank == "A" else 0 if rank in ("10", "J", "Q", "K") else int(rank)


def _check_outcome_and_multiplier(game, outcome, tables):
    """The multiplier GAMES.md's rules give for VALID_PARAMS and the shown outcome."""
    assert OUTCOME_FIELDS[game] <= set(outcome), outcome
    if game == "dice":
        assert re.fullmatch(r"\d{1,3}\.\d\d", outcome["roll"]), outcome
        roll = Decimal(outcome["roll"])
        assert Decimal(0) <= roll <= Decimal(100)
        return Decimal("1.98") if roll < 50 else Decimal(0)
    if game == "limbo":
        result = Decimal(outcome["result"])
        # The formula's floor is 0.99 (about 1% of draws land there), not 1.
        assert result >= Decimal("0.99") and result == result.quantize(Decimal("0.01"))
        return Decimal(2) if result >= 2 else Decimal(0)
    if game == "coinflip":
        assert outcome["side"] in ("heads", "tails")
        return Decimal("1.98") if outcome["side"] == "heads" else Decimal(0)
    if game == "roulette":
        pocket = outcome["pocket"]
        assert isinstance(pocket, int) and 0 <= pocket <= 36
        # 0.5 on red (pays 2) and 0.5 on the first dozen (pays 3), for a stake of 1.
        return (Decimal(1) if pocket in RED else 0) + (Decimal("1.5") if 1 <= pocket <= 12 else 0)
    if game == "wheel":
        segment = outcome["segment"]
        assert 0 <= segment < 20
        return Decimal(tables["wheel"]["medium"]["20"][segment])
    if game == "plinko":
        path, slot = outcome["path"], outcome["slot"]
        assert len(path) == 12 and set(path) <= {0, 1} and slot == sum(path)
        return Decimal(tables["plinko"]["high"]["12"][slot])
    if game == "keno":
        drawn = outcome["drawn"]
        assert len(drawn) == 10 and len(set(drawn)) == 10
        assert all(1 <= n <= 40 for n in drawn)
        hits = len(set(drawn) & set(VALID_PARAMS["keno"]["picks"]))
        return Decimal(tables["keno"]["classic"]["7"][hits])
    if game == "baccarat":
        player, banker = outcome["playerCards"], outcome["bankerCards"]
        assert 2 <= len(player) <= 3 and 2 <= len(banker) <= 3
        assert all(CARD.match(card) for card in player + banker), outcome
        assert outcome["playerTotal"] == sum(map(_card_points, player)) % 10
        assert outcome["bankerTotal"] == sum(map(_card_points, banker)) % 10
        p, b = outcome["playerTotal"], outcome["bankerTotal"]
        expected = "tie" if p == b else "player" if p > b else "banker"
        assert outcome["winner"] == expected
        return {"banker": Decimal("1.95"), "tie": Decimal(1)}.get(expected, Decimal(0))
    raise AssertionError(game)


def _tables(games_client):
    listed = games_client.get("/v1/games")
    assert listed.status_code == 200, listed.json
    return {g["id"]: g["tables"] for g in listed.json["games"] if g["tables"]}


@pytest.mark.parametrize("game", GAMES)
def test_each_game_plays_settles_and_verifies(games_app, games_client, world, game):
    wallet = world["wallet"]
    launch(games_client, world, game=game)
    tables = _tables(games_client)
    before = games_client.get("/v1/fairness").json

    rounds = []
    for expected_nonce in range(3):
        start = wallet.balance("player-1")
        response = bet(games_client, game, "1")
        assert response.status_code == 201, response.json
        round_ = response.json["round"]
        assert ROUND_FIELDS | {"balance"} <= set(round_)
        assert round_["game"] == game and round_["status"] == "settled"
        assert round_["amount"] == "1" and round_["demo"] is False
        payout, multiplier = Decimal(round_["payout"]), Decimal(round_["multiplier"])
        assert payout == multiplier  # a stake of 1
        assert multiplier == _check_outcome_and_multiplier(game, round_["outcome"], tables)
        fairness = round_["fairness"]
        assert fairness["nonce"] == expected_nonce
        assert fairness["serverSeedHash"] == before["serverSeedHash"]
        assert fairness["clientSeed"] == before["clientSeed"]
        assert fairness["serverSeed"] is None  # not revealed before rotation
        # The wallet moved by exactly payout - amount, and the round shows its balance.
        after = wallet.balance("player-1")
        assert after - start == payout - Decimal(1)
        assert Decimal(round_["balance"]) == after
        rounds.append(round_)

    kinds = [(t.kind, t.amount) for t in wallet.transactions("player-1")]
    assert sorted(kinds, key=str) == sorted(
        [("bet", Decimal(1))] * 3 + [("win", Decimal(r["payout"])) for r in rounds], key=str
    )
    assert wallet.balance("player-1") == Decimal(100) + net(rounds)
    session = games_client.get("/v1/session").json["session"]
    assert Decimal(session["balance"]) == wallet.balance("player-1")

    revealed = rotate(games_client)["previous"]
    assert revealed["nonce"] == 3
    assert seed_hash(revealed["serverSeed"]) == before["serverSeedHash"]
    anonymous = games_app.test_client()
    for round_ in rounds:
        fairness = round_["fairness"]
        checked = verify(
            anonymous,
            game,
            revealed["serverSeed"],
            fairness["clientSeed"],
            fairness["nonce"],
            round_["params"],
        )
        assert checked.status_code == 200, checked.json
        assert checked.json == {"game": game, "outcome": round_["outcome"]}
        # The payout follows from the committed seed too, not only the outcome.
        floats = float_stream(revealed["serverSeed"], fairness["clientSeed"], fairness["nonce"])
        settled = rules_for(game).settle(floats, round_["params"], Decimal(1))
        assert settled.payout == Decimal(round_["payout"])
        # Once rotated, the round itself shows the revealed seed.
        shown = games_client.get(f"/v1/rounds/{round_['id']}").json["round"]
        assert shown["fairness"]["serverSeed"] == revealed["serverSeed"]
        assert shown["fairness"]["serverSeedHash"] == seed_hash(revealed["serverSeed"])


def test_session_may_play_every_enabled_game_not_only_its_landing_game(games_client, world):
    launch(games_client, world, game="dice")
    for nonce, game in enumerate(GAMES):
        round_ = placed(games_client, game)
        assert round_["game"] == game
        assert round_["fairness"]["nonce"] == nonce


def test_fractional_stake_pays_exactly(games_client, world):
    wallet = world["wallet"]
    launch(games_client, world)
    round_ = placed(games_client, "dice", "0.12345678", {"target": "2", "condition": "under"})
    assert round_["amount"] == "0.12345678"
    payout = Decimal(round_["payout"])
    if payout:
        assert payout == Decimal("0.12345678") * Decimal("49.5")
    assert wallet.balance("player-1") == Decimal(100) - Decimal("0.12345678") + payout


def test_bet_needs_a_session(games_client, world):
    response = bet(games_client, "dice")
    assert response.status_code == 401
    assert error_code(response) == "session_required"
    assert world["wallet"].transactions() == []


def test_bet_body_must_be_json(games_client, world):
    launch(games_client, world)
    response = games_client.post(
        "/v1/games/dice/bets", data="amount=1", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    response = games_client.post(
        "/v1/games/dice/bets", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert error_code(response) == "malformed_json"
    response = games_client.post("/v1/games/dice/bets", json=["1"])
    assert response.status_code == 422
    assert world["wallet"].transactions() == []


def test_games_list_shows_enabled_playable_games_with_params_limits_tables(games_client, world):
    launch(games_client, world)
    response = games_client.get("/v1/games")
    assert response.status_code == 200, response.json
    games = response.json["games"]
    assert [g["id"] for g in games] == GAMES
    by_id = {g["id"]: g for g in games}
    for game in games:
        assert game["limits"] == {"minBet": "0.1", "maxBet": "500", "maxWin": None}
        assert game["params"]["type"] == "object"
        assert set(game["params"]["properties"]) == set(VALID_PARAMS[game["id"]])
    assert set(by_id["dice"]["params"]["required"]) == {"target", "condition"}
    assert by_id["dice"]["params"]["properties"]["condition"]["enum"] == ["over", "under"]
    assert by_id["keno"]["params"]["properties"]["picks"]["type"] == "array"
    for game in ("dice", "limbo", "coinflip", "roulette", "baccarat"):
        assert by_id[game]["tables"] is None
    wheel, plinko, keno = (by_id[g]["tables"] for g in ("wheel", "plinko", "keno"))
    assert set(wheel) == {"low", "medium", "high"}
    assert set(wheel["low"]) == {"10", "20", "30", "40", "50"}
    assert all(len(wheel[r][s]) == int(s) for r in wheel for s in wheel[r])
    assert set(plinko["high"]) == {str(rows) for rows in range(8, 17)}
    assert all(len(plinko[r][s]) == int(s) + 1 for r in plinko for s in plinko[r])
    assert set(keno) == {"classic", "low", "medium", "high"}
    assert all(len(keno[r][s]) == int(s) + 1 for r in keno for s in keno[r])
    assert all(isinstance(m, str) for m in wheel["high"]["50"])  # decimal strings


def test_games_list_follows_the_current_config(client, games_client, world):
    launch(games_client, world)
    put_config(
        client,
        world,
        enabledGames=["keno", "mines", "dice", "crash"],
        currencies={"USDT": {"minBet": "0.5", "maxBet": "20", "maxWin": "1000"}},
    )
    games = games_client.get("/v1/games").json["games"]
    # Multiplayer games (crash) are not playable yet: not listed.
    assert [g["id"] for g in games] == ["keno", "mines", "dice"]
    assert games[0]["limits"] == {"minBet": "0.5", "maxBet": "20", "maxWin": "1000"}


def test_games_list_shows_the_session_currency_limits(games_client, world):
    world["wallet"].add_player("btc-player", "BTC", "1")
    launch(games_client, world, sub="btc-player", currency="BTC")
    games = games_client.get("/v1/games").json["games"]
    assert games[0]["limits"] == {"minBet": "0.000005", "maxBet": "0.01", "maxWin": None}


def test_games_list_needs_a_session(games_client, world):
    assert games_client.get("/v1/games").status_code == 401


def test_round_history_is_newest_first_and_paginates(games_client, world):
    launch(games_client, world)
    played = [placed(games_client, "coinflip", "0.5")["id"] for _ in range(5)]

    first = games_client.get("/v1/rounds?limit=2")
    assert first.status_code == 200, first.json
    seen, page = [], first.json
    pages = 0
    while True:
        pages += 1
        assert len(page["rounds"]) <= 2
        seen += [r["id"] for r in page["rounds"]]
        if page["nextCursor"] is None:
            break
        response = games_client.get(
            "/v1/rounds", query_string={"limit": 2, "cursor": page["nextCursor"]}
        )
        assert response.status_code == 200, response.json
        page = response.json
    assert pages == 3
    assert seen == list(reversed(played))

    everything = games_client.get("/v1/rounds").json
    assert [r["id"] for r in everything["rounds"]] == list(reversed(played))
    assert everything["nextCursor"] is None
    assert [r["fairness"]["nonce"] for r in everything["rounds"]] == [4, 3, 2, 1, 0]
    assert all(r["status"] == "settled" and r["amount"] == "0.5" for r in everything["rounds"])


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=x", "cursor=not-a-cursor"])
def test_round_history_refuses_bad_paging(games_client, world, query):
    launch(games_client, world)
    response = games_client.get(f"/v1/rounds?{query}")
    assert response.status_code == 422, response.json


def test_one_round_by_id(games_client, world):
    launch(games_client, world)
    round_ = placed(games_client, "keno")
    response = games_client.get(f"/v1/rounds/{round_['id']}")
    assert response.status_code == 200
    shown = response.json["round"]
    for name in ("id", "game", "status", "amount", "payout", "multiplier", "outcome", "params"):
        assert shown[name] == round_[name]
    assert shown["fairness"]["nonce"] == round_["fairness"]["nonce"]
    # Ids a database cannot hold (PostgreSQL refuses NUL) are 404 too, never 500.
    for missing in ("no-such-round", "%00", "a%00b", "x" * 300):
        response = games_client.get(f"/v1/rounds/{missing}")
        assert response.status_code == 404, (missing, response.json)
        assert error_code(response) == "round_not_found"


def test_another_players_round_is_404(games_app, games_client, world):
    world["wallet"].add_player("player-2", "USDT", "100")
    launch(games_client, world)
    mine = placed(games_client, "dice")
    other = games_app.test_client()
    launch(other, world, sub="player-2")
    theirs = placed(other, "dice")
    response = games_client.get(f"/v1/rounds/{theirs['id']}")
    assert response.status_code == 404
    assert error_code(response) == "round_not_found"
    assert [r["id"] for r in games_client.get("/v1/rounds").json["rounds"]] == [mine["id"]]
    assert [r["id"] for r in other.get("/v1/rounds").json["rounds"]] == [theirs["id"]]
    # Each player has a seed pair of their own: both started at nonce 0.
    assert mine["fairness"]["nonce"] == theirs["fairness"]["nonce"] == 0
    assert mine["fairness"]["serverSeedHash"] != theirs["fairness"]["serverSeedHash"]


def test_rounds_need_a_session(games_client, world):
    assert games_client.get("/v1/rounds").status_code == 401
    assert games_client.get("/v1/rounds/anything").status_code == 401
