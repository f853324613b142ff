"""Fairness of multi-step rounds over HTTP (GAMES.md 1, 3; issue 6 item 4).

A round's seeds and nonce are fixed when it opens; rotation (and a client-seed change) is refused
while it is open; once it is over and the seed revealed, `verify` gives the mine layout or the
first 52 cards, and the round's action log (each action with the tiles or cards it used)
replays the whole round against that stream. While a round is open nothing shows what is still
hidden: no `used` in the log, no mine tile, no dealer hole card.
"""

import hashlib
import json
from decimal import Decimal
from fractions import Fraction

import pytest

from tests.multistep_support import (
    START,
    assert_wallet_moved,
    bj_total,
    cards_in,
    is_natural,
    mine_tiles,
    plain_deal,
    refused,
    settled,
    table,
)
from tests.play_support import rotate, verify


@pytest.fixture
def t(games_app, games_client, client, world):
    return table(games_app, games_client, client, world)


def _verified(t, round_, params):
    """Rotate, then verify the round from its revealed seed; returns verify's outcome."""
    revealed = rotate(t.client)["previous"]
    fairness = t.round(round_["id"])["fairness"]
    assert fairness["serverSeed"] == revealed["serverSeed"]
    assert (
        hashlib.sha256(revealed["serverSeed"].encode()).hexdigest() == (fairness["serverSeedHash"])
    )
    assert fairness["nonce"] == round_["fairness"]["nonce"]
    assert fairness["clientSeed"] == round_["fairness"]["clientSeed"]
    response = verify(
        t.client,
        round_["game"],
        revealed["serverSeed"],
        fairness["clientSeed"],
        fairness["nonce"],
        params,
    )
    assert response.status_code == 200, response.json
    return response.json["outcome"]


def _used(round_):
    """The log's `used` entries after the opening (every action of a finished round has one)."""
    assert all("used" in entry for entry in round_["actions"]), round_["actions"]
    return [entry["used"] for entry in round_["actions"]]


# --- seeds are locked while a round is open ------------------------------------------------


@pytest.mark.parametrize(
    ("game", "params", "finish"),
    [
        ("mines", {"mines": 24}, None),
        ("hilo", {}, None),
        ("blackjack", {}, "stand"),
    ],
)
def test_seeds_cannot_change_while_a_round_is_open(t, game, params, finish):
    if game == "blackjack":
        t.choose_deck(plain_deal)  # no natural: the round stays open
    before = t.client.get("/v1/fairness").json
    round_ = t.opened(game, "1", params)
    assert round_["status"] == "open"
    assert round_["fairness"]["serverSeedHash"] == before["serverSeedHash"]
    assert (
        round_["fairness"]["nonce"] == before["nonce"] and round_["fairness"]["serverSeed"] is None
    )

    refused(t.client.post("/v1/fairness/rotate"), 409, "round_unfinished")
    refused(
        t.client.post("/v1/fairness/client-seed", json={"clientSeed": "x"}), 409, "round_unfinished"
    )
    assert t.client.get("/v1/fairness").json == {**before, "nonce": before["nonce"] + 1}

    if game == "mines":  # 24 mines: the first reveal is a mine or the one safe tile
        round_ = t.acted(round_["id"], "reveal", tile=0)
    elif game == "hilo":
        round_ = t.acted(round_["id"], round_["allowedActions"][0])
        if round_["status"] == "open":
            round_ = t.acted(round_["id"], "cashout")
    else:
        round_ = t.acted(round_["id"], finish)
    settled(t, round_)

    rotated = rotate(t.client)
    assert rotated["previous"]["serverSeedHash"] == before["serverSeedHash"]
    assert rotated["current"]["serverSeedHash"] == before["nextServerSeedHash"]
    assert rotated["current"]["nonce"] == 0


# --- mines ---------------------------------------------------------------------------------


def test_a_mines_round_replays_from_the_verified_layout(t):
    round_ = t.opened("mines", "1", {"mines": 5})
    open_json = json.dumps(t.round(round_["id"]))
    seeds = t.round_seeds(round_["id"])
    layout = mine_tiles(*seeds, 5)
    safe = [tile for tile in range(25) if tile not in layout]
    assert "mines" not in json.loads(open_json)["outcome"]
    for tile in safe[:3]:
        shown = t.acted(round_["id"], "reveal", tile=tile)
        assert "mines" not in shown["outcome"]
        assert all("used" not in entry for entry in shown["actions"])
    round_ = settled(t, t.acted(round_["id"], "reveal", tile=layout[3]))

    outcome = _verified(t, round_, {"mines": 5})

    assert outcome == {"mines": round_["outcome"]["mines"]}
    assert sorted(outcome["mines"]) == sorted(layout)
    mines = set(outcome["mines"])
    replayed = []
    for entry, used in zip(round_["actions"][1:], _used(round_)[1:], strict=True):
        assert entry["action"] == "reveal" and entry["data"] == {"tile": used["tile"]}
        assert used["safe"] is (used["tile"] not in mines)
        replayed.append(used["tile"])
    assert replayed == [*safe[:3], layout[3]]
    assert round_["outcome"]["revealed"] == [tile for tile in replayed if tile not in mines]
    assert round_["outcome"]["hit"] == layout[3]
    assert_wallet_moved(t, round_)


def test_verify_reproduces_the_public_mines_vectors(t):
    server, client = "5ff5c610e633b2a91c46d1be1f74286b", "854581b6f52eaa86503f1dc6433655f9"
    for nonce, mines, expected in [(1, 2, [1, 21]), (4, 5, [0, 6, 16, 18, 22])]:
        response = verify(t.client, "mines", server, client, nonce, {"mines": mines})
        assert response.status_code == 200, response.json
        assert sorted(response.json["outcome"]["mines"]) == expected
    response = verify(t.client, "mines", server, client, 1, {"mines": 25})
    assert response.status_code == 422
    assert len(verify(t.client, "hilo", server, client, 0, {}).json["outcome"]["cards"]) == 52


# --- hilo ----------------------------------------------------------------------------------


def test_a_hilo_round_replays_from_the_verified_cards(t):
    round_ = t.opened("hilo", "1", {})
    actions = ["skip", "skip"]
    for action in actions:
        round_ = t.acted(round_["id"], action)
    while round_["status"] == "open":  # guess the likelier way until the round ends
        allowed = round_["allowedActions"]
        guesses = [a for a in allowed if a not in ("skip", "cashout")]
        choices = round_["outcome"]["choices"]
        guess = max(guesses, key=lambda g: Fraction(choices[g]["chance"]))
        if "cashout" in allowed and len(actions) >= 6:
            guess = "cashout"
        assert all("used" not in entry for entry in round_["actions"])
        round_ = t.acted(round_["id"], guess)
        actions.append(guess)
    round_ = settled(t, round_)

    cards = _verified(t, round_, {})["cards"]

    assert len(cards) == 52
    used = _used(round_)
    drawn = [card for entry in used for card in entry.get("cards", [])]
    assert drawn == cards[: len(drawn)]
    assert round_["outcome"]["cards"] == drawn
    assert [entry["action"] for entry in round_["actions"]] == ["open", *actions]
    history = round_["outcome"]["history"]
    assert [h["card"] for h in history] == drawn[:-1] and [h["next"] for h in history] == drawn[1:]
    assert_wallet_moved(t, round_)


# --- blackjack -----------------------------------------------------------------------------


def _hole_hidden(round_, hole):
    """While open: the dealer shows one card; the hole card appears nowhere in the JSON."""
    assert round_["status"] == "open"
    assert len(round_["outcome"]["dealer"]["cards"]) == 1
    assert "cards" not in round_["outcome"]
    assert all("used" not in entry for entry in round_["actions"])
    assert hole not in cards_in(round_)


def test_a_blackjack_round_hides_the_hole_card_then_replays_from_the_verified_cards(t):
    def wanted(c):
        player, up, hole = [c[0], c[2]], c[1], c[3]
        return (
            player[0][:-1] == player[1][:-1]
            and not player[0].startswith("A")
            and not up.startswith("A")
            and not is_natural([up, hole])
            and hole not in (c[0], c[1], c[2], c[4], c[5], c[6])  # never visible by chance
            and bj_total([c[0], c[4]]) < 21
            and bj_total([c[0], c[4], c[6]]) < 21
        )

    deck = t.choose_deck(wanted)
    hole = deck[3]
    round_ = t.opened("blackjack", "1", {})
    _hole_hidden(round_, hole)
    round_ = t.acted(round_["id"], "split")
    _hole_hidden(round_, hole)
    round_ = t.acted(round_["id"], "hit")
    _hole_hidden(round_, hole)
    for view in (
        t.round(round_["id"]),
        t.client.get("/v1/games/blackjack/active").json["round"],
        t.client.get("/v1/rounds").json["rounds"][0],
    ):
        _hole_hidden(view, hole)
    while round_["status"] == "open":
        round_ = t.acted(round_["id"], "stand")
    round_ = settled(t, round_)
    assert round_["outcome"]["dealer"]["cards"][:2] == [deck[1], hole]

    cards = _verified(t, round_, {})["cards"]

    assert cards[:16] == deck
    drawn = [card for entry in _used(round_) for card in entry["cards"]]
    assert drawn == cards[: len(drawn)]
    assert round_["outcome"]["cards"] == drawn
    first, second = round_["outcome"]["hands"]
    assert first["cards"] == [cards[0], cards[4], cards[6]]
    assert second["cards"] == [cards[2], cards[5]]
    assert round_["outcome"]["dealer"]["cards"] == [cards[1], cards[3], *drawn[7:]]
    assert [entry["action"] for entry in round_["actions"]][:3] == ["open", "split", "hit"]
    assert t.balance() == START - 2 + Decimal(round_["payout"])
    assert_wallet_moved(t, round_)
