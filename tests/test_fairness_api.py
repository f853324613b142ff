"""The fairness API: seed pair, client seed, rotation and public verification (GAMES.md 1, 5)."""

import re

import pytest

from common.db import database
from common.models import Round
from games.fairness import seed_hash
from tests.play_support import bet, error_code, launch, placed, rotate, verify

HEX64 = re.compile(r"^[0-9a-f]{64}$")
DICE_VECTOR = ("f2ac89b608eeb01312d115bce6741b32", "86ff027f15c48241af7f54a726690ee7")
KENO_VECTOR = ("ae1581dc89398cb8fdb84f0a2c64e816", "971f4d5c49eb1111385e9309d105227f")


def test_fairness_shows_the_active_pair(games_client, world):
    launch(games_client, world)
    response = games_client.get("/v1/fairness")
    assert response.status_code == 200, response.json
    pair = response.json
    assert set(pair) == {"serverSeedHash", "clientSeed", "nonce", "nextServerSeedHash"}
    assert HEX64.match(pair["serverSeedHash"]) and HEX64.match(pair["nextServerSeedHash"])
    assert pair["serverSeedHash"] != pair["nextServerSeedHash"]
    assert re.fullmatch(r"[0-9a-f]{32}", pair["clientSeed"])
    assert pair["nonce"] == 0
    assert games_client.get("/v1/fairness").json == pair  # stable until used or rotated
    placed(games_client, "dice")
    placed(games_client, "dice")
    assert games_client.get("/v1/fairness").json == {**pair, "nonce": 2}


def test_fairness_endpoints_need_a_session(games_client, world):
    assert games_client.get("/v1/fairness").status_code == 401
    assert games_client.post("/v1/fairness/rotate").status_code == 401
    response = games_client.post("/v1/fairness/client-seed", json={"clientSeed": "abc"})
    assert response.status_code == 401


def test_players_have_their_own_pairs(games_app, games_client, world):
    world["wallet"].add_player("player-2", "USDT", "100")
    launch(games_client, world)
    other = games_app.test_client()
    launch(other, world, sub="player-2")
    mine, theirs = games_client.get("/v1/fairness").json, other.get("/v1/fairness").json
    assert mine["serverSeedHash"] != theirs["serverSeedHash"]
    assert mine["clientSeed"] != theirs["clientSeed"]


def test_client_seed_can_be_chosen_and_is_used(games_client, world):
    launch(games_client, world)
    before = games_client.get("/v1/fairness").json
    placed(games_client, "coinflip")
    response = games_client.post(
        "/v1/fairness/client-seed", json={"clientSeed": "my-lucky_seed!42"}
    )
    assert response.status_code == 200, response.json
    assert response.json == {**before, "clientSeed": "my-lucky_seed!42", "nonce": 1}
    assert games_client.get("/v1/fairness").json["clientSeed"] == "my-lucky_seed!42"
    round_ = placed(games_client, "coinflip")
    assert round_["fairness"]["clientSeed"] == "my-lucky_seed!42"
    assert round_["fairness"]["nonce"] == 1
    assert round_["fairness"]["serverSeedHash"] == before["serverSeedHash"]
    longest = games_client.post("/v1/fairness/client-seed", json={"clientSeed": "x" * 64})
    assert longest.json["clientSeed"] == "x" * 64


@pytest.mark.parametrize(
    "body",
    [
        {"clientSeed": ""},
        {"clientSeed": "x" * 65},
        {"clientSeed": "has space"},
        {"clientSeed": "tab\there"},
        {"clientSeed": "ünïcode"},
        {"clientSeed": 12345},
        {"clientSeed": None},
        {},
        {"clientSeed": "ok", "nonce": 0},
    ],
)
def test_bad_client_seed_is_422(games_client, world, body):
    launch(games_client, world)
    before = games_client.get("/v1/fairness").json
    response = games_client.post("/v1/fairness/client-seed", json=body)
    assert response.status_code == 422, response.json
    assert games_client.get("/v1/fairness").json == before


def test_rotation_reveals_the_committed_seed_and_activates_the_next(games_client, world):
    launch(games_client, world)
    old = games_client.get("/v1/fairness").json
    played = [placed(games_client, "dice") for _ in range(2)]
    rotated = rotate(games_client)
    previous, current = rotated["previous"], rotated["current"]
    assert set(previous) == {"serverSeed", "serverSeedHash", "clientSeed", "nonce"}
    assert seed_hash(previous["serverSeed"]) == old["serverSeedHash"] == previous["serverSeedHash"]
    assert HEX64.match(previous["serverSeed"])
    assert previous["clientSeed"] == old["clientSeed"] and previous["nonce"] == 2
    assert current["serverSeedHash"] == old["nextServerSeedHash"]
    assert current["clientSeed"] == old["clientSeed"]
    assert current["nonce"] == 0
    assert current["nextServerSeedHash"] not in (old["serverSeedHash"], old["nextServerSeedHash"])
    assert games_client.get("/v1/fairness").json == current

    after = placed(games_client, "dice")
    assert after["fairness"]["nonce"] == 0
    assert after["fairness"]["serverSeedHash"] == current["serverSeedHash"]
    assert after["fairness"]["serverSeed"] is None
    for round_ in played:
        shown = games_client.get(f"/v1/rounds/{round_['id']}").json["round"]["fairness"]
        assert shown["serverSeed"] == previous["serverSeed"]

    # The next rotation reveals the seed whose hash was committed two pairs ago.
    again = rotate(games_client)
    assert seed_hash(again["previous"]["serverSeed"]) == old["nextServerSeedHash"]
    assert again["previous"]["nonce"] == 1
    assert again["current"]["serverSeedHash"] == current["nextServerSeedHash"]


def test_rotation_without_rounds_works(games_client, world):
    launch(games_client, world)
    old = games_client.get("/v1/fairness").json
    rotated = rotate(games_client)
    assert rotated["previous"]["nonce"] == 0
    assert seed_hash(rotated["previous"]["serverSeed"]) == old["serverSeedHash"]


def test_verify_needs_no_session_and_reproduces_a_round(games_app, games_client, world):
    launch(games_client, world)
    round_ = placed(games_client, "baccarat")
    seed = rotate(games_client)["previous"]["serverSeed"]
    anonymous = games_app.test_client()
    fairness = round_["fairness"]
    response = verify(anonymous, "baccarat", seed, fairness["clientSeed"], 0, {"side": "player"})
    assert response.status_code == 200, response.json
    # The side backed changes the payout, never the cards.
    assert response.json["outcome"] == round_["outcome"]
    wrong = verify(anonymous, "baccarat", seed, fairness["clientSeed"], 1, {"side": "player"})
    assert wrong.status_code == 200


def test_verify_reproduces_the_public_dice_vector(games_app):
    anonymous = games_app.test_client()
    rolls = []
    for nonce in range(5):
        response = verify(
            anonymous, "dice", *DICE_VECTOR, nonce, {"target": "50", "condition": "under"}
        )
        assert response.status_code == 200, response.json
        rolls.append(response.json["outcome"]["roll"])
    assert rolls == ["28.07", "29.02", "5.86", "54.86", "9.66"]


def test_verify_reproduces_the_public_keno_vector(games_app):
    anonymous = games_app.test_client()
    response = verify(anonymous, "keno", *KENO_VECTOR, 0, {"risk": "classic", "picks": [1]})
    assert response.status_code == 200, response.json
    drawn = response.json["outcome"]["drawn"]
    assert sorted(drawn) == [1, 7, 9, 12, 14, 16, 21, 23, 30, 39]
    assert len(drawn) == 10
    assert response.json["outcome"]["hits"] == 1


@pytest.mark.parametrize("game", ["poker", "mines-x", "DICE", ""])
def test_verify_unknown_game_is_422(games_app, game):
    response = verify(games_app.test_client(), game, "s", "c", 0, {})
    assert response.status_code == 422, response.json
    if game:
        assert error_code(response) == "game_not_found"


@pytest.mark.parametrize(
    "changes",
    [
        {"params": {"target": "200", "condition": "under"}},
        {"params": {}},
        {"params": "x"},
        {"nonce": -1},
        {"nonce": "1"},
        {"nonce": 1.5},
        {"serverSeed": ""},
        {"clientSeed": ""},
        {"serverSeed": "s" * 257},
        {"unexpected": True},
    ],
)
def test_verify_refuses_bad_input(games_app, changes):
    body = {
        "game": "dice",
        "serverSeed": DICE_VECTOR[0],
        "clientSeed": DICE_VECTOR[1],
        "nonce": 0,
        "params": {"target": "50", "condition": "under"},
        **changes,
    }
    response = games_app.test_client().post("/v1/fairness/verify", json=body)
    assert response.status_code == 422, response.json


def test_verify_refuses_a_missing_field(games_app):
    response = games_app.test_client().post(
        "/v1/fairness/verify", json={"game": "dice", "serverSeed": "s", "clientSeed": "c"}
    )
    assert response.status_code == 422
    assert "nonce" in str(response.json["error"])


def test_bet_refused_by_a_bad_param_does_not_use_a_nonce(games_client, world):
    launch(games_client, world)
    assert (
        bet(games_client, "dice", "1", {"target": "500", "condition": "under"}).status_code == 422
    )
    assert games_client.get("/v1/fairness").json["nonce"] == 0


def test_a_pair_with_an_unfinished_round_cannot_be_rotated(games_client, world):
    launch(games_client, world)
    round_ = placed(games_client, "dice")
    with database.connection_context():
        Round.update(status="win_pending").where(Round.id == round_["id"]).execute()
    before = games_client.get("/v1/fairness").json
    response = games_client.post("/v1/fairness/rotate")
    assert response.status_code == 409, response.json
    assert error_code(response) == "round_unfinished"
    response = games_client.post("/v1/fairness/client-seed", json={"clientSeed": "new-seed"})
    assert response.status_code == 409, response.json
    assert games_client.get("/v1/fairness").json == before
    with database.connection_context():
        Round.update(status="settled").where(Round.id == round_["id"]).execute()
    assert rotate(games_client)["previous"]["serverSeedHash"] == before["serverSeedHash"]
