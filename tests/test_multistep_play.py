"""Playing mines, hilo and blackjack over HTTP against the reference wallet (GAMES.md 3, 5).

Every path checks the round's JSON, the payout against GAMES.md's formulas (computed here, not by
games/rules), and the wallet: its balance moves by exactly payout − everything staked.
"""

from decimal import Decimal
from fractions import Fraction

import pytest

from tests.multistep_support import (
    START,
    assert_wallet_moved,
    bj_total,
    card_value,
    cards_of,
    dealer_final,
    floor8,
    hand_return,
    hilo_chance,
    hilo_guesses,
    hilo_rank,
    hilo_right,
    is_natural,
    mine_tiles,
    mines_multiplier,
    plain_deal,
    refused,
    settled,
    table,
)


@pytest.fixture
def t(games_app, games_client, client, world):
    return table(games_app, games_client, client, world)


# --- mines ---------------------------------------------------------------------------------


def _mines_round(t, mines, amount="1"):
    round_ = t.opened("mines", amount, {"mines": mines})
    server, client_seed, nonce = t.round_seeds(round_["id"])
    layout = mine_tiles(server, client_seed, nonce, mines)
    safe = [tile for tile in range(25) if tile not in layout]
    return round_, layout, safe


def test_mines_opens_with_reveal_only_and_debits_the_stake(t):
    round_ = t.opened("mines", "2", {"mines": 3})

    assert round_["status"] == "open"
    assert round_["allowedActions"] == ["reveal"]
    assert round_["amount"] == "2" and round_["payout"] is None and round_["multiplier"] is None
    outcome = round_["outcome"]
    assert outcome["revealed"] == [] and outcome["mineCount"] == 3 and not outcome["finished"]
    assert "mines" not in outcome  # the layout stays hidden while the round is open
    assert Decimal(outcome["nextMultiplier"]) == mines_multiplier(3, 1)
    assert round_["actions"] == [{"action": "open"}]
    assert t.balance() == START - 2
    [bet] = t.wallet_rows(round_["id"])
    assert (bet.kind, bet.amount, bet.state) == ("bet", Decimal(2), "open")


@pytest.mark.parametrize(("mines", "reveals"), [(1, 6), (3, 4), (10, 2), (5, 1)])
def test_mines_safe_reveals_then_cashout_pay_the_closed_form(t, mines, reveals):
    round_, layout, safe = _mines_round(t, mines, amount="2")

    for d, tile in enumerate(safe[:reveals], start=1):
        round_ = t.acted(round_["id"], "reveal", tile=tile)
        assert round_["status"] == "open"
        assert round_["allowedActions"] == ["reveal", "cashout"]
        outcome = round_["outcome"]
        assert outcome["revealed"] == safe[:d]
        assert Decimal(outcome["multiplier"]) == mines_multiplier(mines, d)
        assert Decimal(outcome["nextMultiplier"]) == mines_multiplier(mines, d + 1)
        assert "mines" not in outcome

    round_ = settled(t, t.acted(round_["id"], "cashout"))

    expected = mines_multiplier(mines, reveals)
    assert Decimal(round_["multiplier"]) == expected
    assert Decimal(round_["payout"]) == 2 * expected
    outcome = round_["outcome"]
    assert outcome["mines"] == layout  # revealed once over, in pick order
    assert (outcome["result"], outcome["end"], outcome["hit"]) == ("won", "cashout", None)
    assert [a["action"] for a in round_["actions"]] == ["open", *["reveal"] * reveals, "cashout"]
    assert t.client.get("/v1/games/mines/active").status_code == 404
    assert_wallet_moved(t, round_)


def test_mines_hitting_a_mine_loses_the_stake(t):
    round_, layout, safe = _mines_round(t, 5, amount="3")
    t.acted(round_["id"], "reveal", tile=safe[0])

    round_ = settled(t, t.acted(round_["id"], "reveal", tile=layout[2]))

    assert round_["payout"] == "0" and round_["multiplier"] == "0"
    outcome = round_["outcome"]
    assert (outcome["result"], outcome["end"], outcome["hit"]) == ("lost", "mine", layout[2])
    assert outcome["revealed"] == [safe[0]] and outcome["mines"] == layout
    assert t.balance() == START - 3
    assert_wallet_moved(t, round_)
    # The wallet's bet is closed by a win of "0".
    assert {(w.kind, w.state) for w in t.wallet_rows(round_["id"])} == {
        ("bet", "settled"),
        ("win", None),
    }


def test_mines_revealing_every_safe_tile_wins_automatically(t):
    round_, layout, safe = _mines_round(t, 21)  # four safe tiles
    for tile in safe[:3]:
        assert t.acted(round_["id"], "reveal", tile=tile)["status"] == "open"

    round_ = settled(t, t.acted(round_["id"], "reveal", tile=safe[3]))

    assert (round_["outcome"]["result"], round_["outcome"]["end"]) == ("won", "cleared")
    assert Decimal(round_["payout"]) == mines_multiplier(21, 4)
    assert Decimal(round_["payout"]) == floor8(Fraction(99, 100) * 12650)  # C(25,4)/C(4,4)
    assert_wallet_moved(t, round_)


def test_mines_refuses_actions_the_state_does_not_allow(t):
    round_, _layout, safe = _mines_round(t, 3)
    round_id = round_["id"]

    refused(t.act(round_id, "cashout"), 409, "action_not_allowed", ["reveal"])
    refused(t.act(round_id, "hit"), 409, "action_not_allowed", ["reveal"])
    t.acted(round_id, "reveal", tile=safe[0])
    before = t.round(round_id)
    refused(
        t.act(round_id, "reveal", tile=safe[0]), 409, "action_not_allowed", ["reveal", "cashout"]
    )
    for bad in (25, -1, "3", True, None, 2.0):
        response = t.act(round_id, "reveal", tile=bad)
        assert response.status_code in (409, 422), (bad, response.json)
        assert response.json["error"]["details"]["allowed"] == ["reveal", "cashout"]
    response = t.act(round_id, "reveal")  # no tile at all
    assert response.status_code in (409, 422)
    response = t.client.post(f"/v1/rounds/{round_id}/actions", json={"tile": 4})
    refused(response, 422, "validation_error")
    assert t.round(round_id) == before  # nothing changed, nothing was charged
    assert t.balance() == START - 1

    finished = settled(t, t.acted(round_id, "cashout"))
    error = refused(t.act(round_id, "reveal", tile=safe[1]), 409, "action_not_allowed", [])
    assert error["details"]["status"] == "settled"
    refused(t.act(round_id, "cashout"), 409, "action_not_allowed", [])
    assert t.round(round_id) == finished
    assert_wallet_moved(t, finished)


def test_actions_on_unknown_rounds_and_single_round_games_are_refused(t):
    assert t.act("no-such-round", "cashout").status_code == 404
    dice = t.client.post(
        "/v1/games/dice/bets",
        json={"amount": "1", "params": {"target": "50", "condition": "under"}},
    ).json["round"]
    assert dice["allowedActions"] == []
    refused(t.act(dice["id"], "cashout"), 409, "action_not_allowed", [])


# --- hilo ----------------------------------------------------------------------------------


def _hilo_round(t, amount="1"):
    round_ = t.opened("hilo", amount, {})
    cards = cards_of(*t.round_seeds(round_["id"]))
    assert round_["outcome"]["card"] == cards[0] and round_["outcome"]["cards"] == cards[:1]
    return round_, cards


def _right_guess(shown, following):
    for guess in hilo_guesses(hilo_rank(shown)):
        if hilo_right(hilo_rank(shown), guess, hilo_rank(following)):
            return guess
    raise AssertionError((shown, following))


def _wrong_guess(shown, following):
    for guess in hilo_guesses(hilo_rank(shown)):
        if not hilo_right(hilo_rank(shown), guess, hilo_rank(following)):
            return guess
    return None  # on 2–Q with an equal next card both guesses win


def test_hilo_skip_guesses_and_cashout_follow_the_multiplier_chain(t):
    round_, cards = _hilo_round(t, amount="4")
    round_id = round_["id"]
    assert "cashout" not in round_["allowedActions"]

    round_ = t.acted(round_id, "skip")
    assert round_["outcome"]["card"] == cards[1] and round_["outcome"]["multiplier"] == "1"
    assert round_["outcome"]["history"][0]["correct"] is None
    refused(t.act(round_id, "cashout"), 409, "action_not_allowed", round_["allowedActions"])

    running, position = Fraction(1), 1
    for _ in range(4):
        shown, following = cards[position], cards[position + 1]
        guess = _right_guess(shown, following)
        chance = hilo_chance(hilo_rank(shown), guess)
        assert round_["outcome"]["choices"][guess]["chance"] == (
            f"{chance.numerator}/{chance.denominator}"
        )
        running *= Fraction(99, 100) / chance
        round_ = t.acted(round_id, guess)
        position += 1
        outcome = round_["outcome"]
        assert round_["status"] == "open"
        assert outcome["card"] == following and outcome["cards"] == cards[: position + 1]
        assert outcome["history"][-1] == {
            "card": shown,
            "action": guess,
            "next": following,
            "correct": True,
        }
        assert Decimal(outcome["multiplier"]) == floor8(running)
        assert round_["allowedActions"] == [*hilo_guesses(hilo_rank(following)), "skip", "cashout"]

    round_ = settled(t, t.acted(round_id, "cashout"))

    assert Decimal(round_["multiplier"]) == floor8(running)
    assert Decimal(round_["payout"]) == 4 * floor8(running)
    assert (round_["outcome"]["result"], round_["outcome"]["end"]) == ("won", "cashout")
    assert_wallet_moved(t, round_)


# Situations at the first card: (first rank, next rank) → the guess and whether it is right.
HILO_EDGES = {
    "equal-higher": (lambda a, b: 2 <= a <= 12 and b == a, "higher", True),
    "equal-lower": (lambda a, b: 2 <= a <= 12 and b == a, "lower", True),
    "ace-higher": (lambda a, b: a == 1 and b > 1, "higher", True),
    "ace-higher-on-ace": (lambda a, b: a == 1 and b == 1, "higher", False),
    "ace-same": (lambda a, b: a == 1 and b == 1, "same", True),
    "king-lower": (lambda a, b: a == 13 and b < 13, "lower", True),
    "king-lower-on-king": (lambda a, b: a == 13 and b == 13, "lower", False),
    "king-same": (lambda a, b: a == 13 and b == 13, "same", True),
}


@pytest.mark.parametrize("edge", list(HILO_EDGES))
def test_hilo_or_same_on_2_to_q_and_strict_on_ace_and_king(t, edge):
    situation, guess, right = HILO_EDGES[edge]
    cards = t.choose_deck(lambda c: situation(hilo_rank(c[0]), hilo_rank(c[1])))
    round_ = t.opened("hilo", "1", {})
    assert round_["outcome"]["card"] == cards[0]

    round_ = t.acted(round_["id"], guess)

    assert round_["outcome"]["history"][-1]["correct"] is right
    if right:
        step = Fraction(99, 100) / hilo_chance(hilo_rank(cards[0]), guess)
        assert Decimal(round_["outcome"]["multiplier"]) == floor8(step)
        round_ = settled(t, t.acted(round_["id"], "cashout"))
        assert Decimal(round_["payout"]) == floor8(step)
    else:
        round_ = settled(t, round_)
        assert round_["payout"] == "0"
    assert_wallet_moved(t, round_)


def test_hilo_a_wrong_guess_loses_and_guesses_must_fit_the_card(t):
    round_, cards = _hilo_round(t, amount="2")
    round_id, position = round_["id"], 0
    while _wrong_guess(cards[position], cards[position + 1]) is None:
        round_ = t.acted(round_id, "skip")
        position += 1
    shown = cards[position]
    offered = hilo_guesses(hilo_rank(shown))
    not_offered = "same" if "same" not in offered else "lower" if "higher" in offered else "higher"
    refused(t.act(round_id, not_offered), 409, "action_not_allowed", [*offered, "skip"])

    round_ = settled(t, t.acted(round_id, _wrong_guess(shown, cards[position + 1])))

    assert round_["payout"] == "0"
    assert (round_["outcome"]["result"], round_["outcome"]["end"]) == ("lost", "wrong")
    assert round_["outcome"]["history"][-1]["correct"] is False
    refused(t.act(round_id, "skip"), 409, "action_not_allowed", [])
    assert_wallet_moved(t, round_)


# --- blackjack -----------------------------------------------------------------------------


def _bj_open(t, wanted, amount="1"):
    cards = t.choose_deck(wanted)
    round_ = t.opened("blackjack", amount, {})
    assert cards_of(*t.round_seeds(round_["id"]), 16) == cards
    return round_, cards_of(*t.round_seeds(round_["id"]))


def test_blackjack_opens_showing_one_dealer_card_then_stands(t):
    round_, cards = _bj_open(t, plain_deal, amount="2")

    assert round_["status"] == "open"
    assert round_["allowedActions"] == ["hit", "stand", "double"]
    outcome = round_["outcome"]
    assert outcome["dealer"]["cards"] == [cards[1]]
    [hand] = outcome["hands"]
    assert hand["cards"] == [cards[0], cards[2]] and hand["total"] == bj_total(hand["cards"])
    assert t.balance() == START - 2

    round_ = settled(t, t.acted(round_["id"], "stand"))

    dealer = dealer_final(cards[1::2][:2], iter(cards[4:]))
    assert round_["outcome"]["dealer"]["cards"] == dealer
    assert Decimal(round_["payout"]) == hand_return([cards[0], cards[2]], dealer, Decimal(2))
    assert_wallet_moved(t, round_)


def test_blackjack_hit_then_stand(t):
    def wanted(c):
        return plain_deal(c) and bj_total([c[0], c[2]]) <= 11 and bj_total([c[0], c[2], c[4]]) < 21

    round_, cards = _bj_open(t, wanted)
    round_ = t.acted(round_["id"], "hit")

    assert round_["status"] == "open"
    player = [cards[0], cards[2], cards[4]]
    assert round_["outcome"]["hands"][0]["cards"] == player
    assert round_["allowedActions"] == ["hit", "stand"]  # no double on three cards
    assert round_["outcome"]["dealer"]["cards"] == [cards[1]]

    round_ = settled(t, t.acted(round_["id"], "stand"))

    dealer = dealer_final([cards[1], cards[3]], iter(cards[5:]))
    assert round_["outcome"]["dealer"]["cards"] == dealer
    assert Decimal(round_["payout"]) == hand_return(player, dealer, Decimal(1))
    assert_wallet_moved(t, round_)


def test_blackjack_a_bust_loses_at_once_and_the_dealer_does_not_draw(t):
    def wanted(c):
        return plain_deal(c) and bj_total([c[0], c[2], c[4]]) > 21

    round_, cards = _bj_open(t, wanted, amount="5")
    round_ = settled(t, t.acted(round_["id"], "hit"))

    assert round_["payout"] == "0"
    assert round_["outcome"]["hands"][0]["status"] == "bust"
    assert round_["outcome"]["dealer"]["cards"] == [cards[1], cards[3]]
    assert_wallet_moved(t, round_)


def test_blackjack_double_is_a_second_wallet_bet_and_doubles_the_round(t):
    def wanted(c):
        return plain_deal(c) and 9 <= bj_total([c[0], c[2]]) <= 11

    round_, cards = _bj_open(t, wanted, amount="2.5")
    [opening] = t.wallet_rows(round_["id"])

    round_ = settled(t, t.acted(round_["id"], "double"))

    assert round_["amount"] == "5"
    [hand] = round_["outcome"]["hands"]
    player = [cards[0], cards[2], cards[4]]
    assert hand["cards"] == player and hand["doubled"] and hand["stake"] == "5"
    dealer = dealer_final([cards[1], cards[3]], iter(cards[5:]))
    assert Decimal(round_["payout"]) == hand_return(player, dealer, Decimal(5))
    assert round_["actions"][-1]["action"] == "double"
    assert Decimal(str(round_["actions"][-1]["stake"])) == Decimal("2.5")
    rows = t.wallet_rows(round_["id"])
    bets = [w for w in rows if w.kind == "bet"]
    assert [b.amount for b in bets] == [Decimal("2.5"), Decimal("2.5")]
    assert bets[0].transaction_id == opening.transaction_id
    assert bets[1].transaction_id != opening.transaction_id
    [win] = [w for w in rows if w.kind == "win"]
    assert win.reference_transaction_id == opening.transaction_id
    assert_wallet_moved(t, round_)


def test_blackjack_split_then_double_after_split(t):
    def wanted(c):
        pair = c[0][:-1] == c[2][:-1] and not c[0].startswith("A")
        hands_open = bj_total([c[0], c[4]]) < 21 and bj_total([c[2], c[5]]) < 21
        up, hole = c[1], c[3]
        return pair and hands_open and not up.startswith("A") and not is_natural([up, hole])

    round_, cards = _bj_open(t, wanted, amount="2")
    assert round_["allowedActions"] == ["hit", "stand", "double", "split"]

    round_ = t.acted(round_["id"], "split")

    assert round_["status"] == "open" and round_["amount"] == "4"
    first, second = round_["outcome"]["hands"]
    assert first["cards"] == [cards[0], cards[4]] and second["cards"] == [cards[2], cards[5]]
    assert first["split"] and second["split"]
    assert round_["outcome"]["activeHand"] == 0
    assert round_["allowedActions"] == ["hit", "stand", "double"]  # split once only

    round_ = t.acted(round_["id"], "double")  # double after split, on the first hand
    assert round_["status"] == "open" and round_["amount"] == "6"
    assert round_["outcome"]["activeHand"] == 1
    assert round_["outcome"]["hands"][0]["cards"] == [cards[0], cards[4], cards[6]]

    round_ = settled(t, t.acted(round_["id"], "stand"))

    first_cards, second_cards = [cards[0], cards[4], cards[6]], [cards[2], cards[5]]
    dealer = dealer_final([cards[1], cards[3]], iter(cards[7:]))
    assert round_["outcome"]["dealer"]["cards"] == dealer
    expected = hand_return(first_cards, dealer, Decimal(4)) + hand_return(
        second_cards, dealer, Decimal(2)
    )
    assert Decimal(round_["payout"]) == expected
    assert [h["stake"] for h in round_["outcome"]["hands"]] == ["4", "2"]
    bets = [w for w in t.wallet_rows(round_["id"]) if w.kind == "bet"]
    assert [b.amount for b in bets] == [Decimal(2)] * 3
    assert len({b.transaction_id for b in bets}) == 3
    assert_wallet_moved(t, round_)


def test_blackjack_splits_only_once(t):
    def wanted(c):
        up, hole = c[1], c[3]
        same = c[0][:-1] == c[2][:-1] == c[4][:-1] and not c[0].startswith("A")
        return same and not up.startswith("A") and not is_natural([up, hole])

    round_, cards = _bj_open(t, wanted)
    round_ = t.acted(round_["id"], "split")
    assert round_["outcome"]["hands"][0]["cards"] == [cards[0], cards[4]]  # a pair again

    refused(t.act(round_["id"], "split"), 409, "action_not_allowed", ["hit", "stand", "double"])
    while round_["status"] == "open":
        round_ = t.acted(round_["id"], "stand")
    round_ = settled(t, round_)
    assert round_["amount"] == "2"
    assert_wallet_moved(t, round_)


def test_blackjack_split_aces_take_one_card_each_and_21_is_not_a_blackjack(t):
    def wanted(c):
        up, hole = c[1], c[3]
        return (
            c[0].startswith("A")
            and c[2].startswith("A")
            and not up.startswith("A")
            and not is_natural([up, hole])
        )

    round_, cards = _bj_open(t, wanted)
    round_ = settled(t, t.acted(round_["id"], "split"))

    hands = [[cards[0], cards[4]], [cards[2], cards[5]]]
    assert [h["cards"] for h in round_["outcome"]["hands"]] == hands
    dealer = dealer_final([cards[1], cards[3]], iter(cards[6:]))
    expected = sum((hand_return(h, dealer, Decimal(1)) for h in hands), Decimal(0))
    assert Decimal(round_["payout"]) == expected  # a split 21 pays 2, not 2.5
    assert round_["amount"] == "2"
    assert_wallet_moved(t, round_)


@pytest.mark.parametrize("dealer_blackjack", [True, False])
def test_blackjack_insurance_on_an_ace(t, dealer_blackjack):
    def wanted(c):
        player = [c[0], c[2]]
        return (
            c[1].startswith("A")
            and (card_value(c[3]) == 10) is dealer_blackjack
            and not is_natural(player)
            and player[0][:-1] != player[1][:-1]
        )

    round_, cards = _bj_open(t, wanted, amount="4")
    assert round_["status"] == "open"
    assert round_["allowedActions"] == ["hit", "stand", "double", "insurance"]
    assert round_["outcome"]["insurance"]["offered"] and round_["outcome"]["insurance"]["pending"]

    round_ = t.acted(round_["id"], "insurance")

    assert round_["amount"] == "6"  # + half the stake
    bets = [w for w in t.wallet_rows(round_["id"]) if w.kind == "bet"]
    assert [b.amount for b in bets] == [Decimal(4), Decimal(2)]
    if dealer_blackjack:
        round_ = settled(t, round_)
        # The hand loses 4; insurance returns 2 + 2 × 2.
        assert round_["payout"] == "6"
        assert round_["outcome"]["insurance"]["payout"] == "6"
        assert round_["outcome"]["dealer"]["cards"] == [cards[1], cards[3]]
        assert t.balance() == START
    else:
        assert round_["status"] == "open"
        assert round_["allowedActions"] == ["hit", "stand", "double"]
        assert round_["outcome"]["insurance"]["taken"]
        round_ = settled(t, t.acted(round_["id"], "stand"))
        dealer = dealer_final([cards[1], cards[3]], iter(cards[4:]))
        assert round_["outcome"]["insurance"]["payout"] == "0"
        assert Decimal(round_["payout"]) == hand_return([cards[0], cards[2]], dealer, Decimal(4))
    assert_wallet_moved(t, round_)


def test_blackjack_insurance_on_an_odd_stake_is_rounded_down_to_8_places(t):
    def wanted(c):
        player = [c[0], c[2]]
        return c[1].startswith("A") and card_value(c[3]) == 10 and not is_natural(player)

    round_, cards = _bj_open(t, wanted, amount="0.33333333")
    round_ = settled(t, t.acted(round_["id"], "insurance"))

    assert round_["outcome"]["insurance"]["stake"] == "0.16666666"  # not 0.166666665
    assert round_["amount"] == "0.49999999"
    assert round_["payout"] == "0.49999998"  # the hand loses; insurance returns 3 × 0.16666666
    bets = [w for w in t.wallet_rows(round_["id"]) if w.kind == "bet"]
    assert [b.amount for b in bets] == [Decimal("0.33333333"), Decimal("0.16666666")]
    assert_wallet_moved(t, round_)


@pytest.mark.parametrize(
    ("case", "payout"),
    [("player", "5"), ("dealer", "0"), ("both", "2")],
)
def test_blackjack_naturals_settle_at_open(t, case, payout):
    def wanted(c):
        player, dealer = [c[0], c[2]], [c[1], c[3]]
        if case == "player":
            return is_natural(player) and 2 <= card_value(c[1]) <= 9
        if case == "dealer":  # a ten up: the dealer peeks at the deal
            return card_value(c[1]) == 10 and is_natural(dealer) and not is_natural(player)
        return card_value(c[1]) == 10 and is_natural(dealer) and is_natural(player)

    deck = t.choose_deck(wanted)
    response = t.bet("blackjack", "2", {})
    assert response.status_code == 201, response.json
    assert response.json["round"]["status"] in ("settled", "win_pending")
    round_ = settled(t, response.json["round"])

    assert round_["payout"] == payout
    assert round_["outcome"]["dealer"]["cards"] == [deck[1], deck[3]]
    assert round_["outcome"]["hands"][0]["cards"] == [deck[0], deck[2]]
    assert t.client.get("/v1/games/blackjack/active").status_code == 404
    assert_wallet_moved(t, round_)


# --- extra stake refused -------------------------------------------------------------------


@pytest.mark.parametrize("action", ["double", "split", "insurance"])
def test_an_extra_stake_the_balance_cannot_cover_is_402_and_changes_nothing(
    games_app, games_client, client, world, action
):
    t = table(games_app, games_client, client, world, sub="poor", balance="10")

    def wanted(c):
        player, up, hole = [c[0], c[2]], c[1], c[3]
        pair = player[0][:-1] == player[1][:-1]
        if action == "split":
            situation = pair and not up.startswith("A") and not player[0].startswith("A")
        elif action == "insurance":
            situation = up.startswith("A") and not pair
        else:
            situation = not up.startswith("A") and not pair
        return situation and not is_natural(player) and not is_natural([up, hole])

    cards = t.choose_deck(wanted)
    round_ = t.opened("blackjack", "10", {})
    assert action in round_["allowedActions"]
    assert t.balance() == 0
    before = t.round(round_["id"])

    error = refused(t.act(round_["id"], action), 402, "insufficient_funds")

    assert error["details"]["walletCode"] == "INSUFFICIENT_FUNDS"
    after = t.round(round_["id"])
    assert after == before
    assert (after["status"], after["amount"]) == ("open", "10")
    assert t.client.get("/v1/games/blackjack/active").json["round"] == before
    rows = t.wallet_rows(round_["id"])
    assert [(w.kind, w.state) for w in rows] == [("bet", "open"), ("bet", "refused")]
    assert t.balance() == 0

    round_ = settled(t, t.acted(round_["id"], "stand"))  # the player can still stand

    dealer = dealer_final([cards[1], cards[3]], iter(cards[4:]))
    assert Decimal(round_["payout"]) == hand_return([cards[0], cards[2]], dealer, Decimal(10))
    assert round_["amount"] == "10"
    assert t.balance() == Decimal(round_["payout"])
    assert_wallet_moved(t, round_, start=Decimal(10))


def test_an_opening_bet_the_wallet_refuses_leaves_no_open_round(
    games_app, games_client, client, world
):
    t = table(games_app, games_client, client, world, sub="poor", balance="0.5")

    error = refused(t.bet("mines", "1", {"mines": 3}), 402, "insufficient_funds")

    void = t.round(error["details"]["roundId"])
    assert (void["status"], void["allowedActions"], void["outcome"]) == ("void", [], None)
    refused(t.act(void["id"], "reveal", tile=0), 409, "action_not_allowed", [])
    refused(t.client.get("/v1/games/mines/active"), 404, "no_active_round")
    assert t.client.post("/v1/fairness/rotate").status_code == 200  # nothing unfinished
    round_ = t.opened("mines", "0.5", {"mines": 3})
    assert round_["status"] == "open" and t.balance() == 0


# --- one open round per game; resume after a reload ----------------------------------------


def test_the_open_round_resumes_after_a_reload_and_blocks_a_second_one(t, games_app):
    assert t.client.get("/v1/games/mines/active").status_code == 404
    error = refused(t.client.get("/v1/games/hilo/active"), 404, "no_active_round")
    assert "hilo" in error["message"]
    refused(t.client.get("/v1/games/dice/active"), 404, "no_active_round")
    round_, _layout, safe = _mines_round(t, 2, amount="1")
    t.acted(round_["id"], "reveal", tile=safe[0])

    reloaded = t.same_session(games_app)  # a new page: only the cookie is left
    active = reloaded.get("/v1/games/mines/active")
    assert active.status_code == 200, active.json
    resumed = active.json["round"]
    assert resumed["id"] == round_["id"] and resumed["status"] == "open"
    assert resumed["outcome"]["revealed"] == [safe[0]]
    assert resumed["allowedActions"] == ["reveal", "cashout"]

    second = t.bet("mines", "1", {"mines": 5})
    error = refused(second, 409, "round_open")
    assert error["details"]["roundId"] == round_["id"]

    # Other games are still playable meanwhile, each with its own open round.
    hilo = t.opened("hilo", "1", {})
    assert hilo["status"] == "open"
    assert t.client.get("/v1/games/hilo/active").json["round"]["id"] == hilo["id"]
    dice = t.client.post(
        "/v1/games/dice/bets",
        json={"amount": "1", "params": {"target": "50", "condition": "under"}},
    )
    assert dice.status_code == 201 and dice.json["round"]["status"] == "settled"

    response = reloaded.post(
        f"/v1/rounds/{round_['id']}/actions", json={"action": "reveal", "tile": safe[1]}
    )
    assert response.status_code == 200, response.json
    assert t.client.get("/v1/games/mines/active").json["round"]["outcome"]["revealed"] == safe[:2]
    mines = settled(t, t.acted(round_["id"], "cashout"))
    assert t.client.get("/v1/games/mines/active").status_code == 404
    assert t.client.get("/v1/games/hilo/active").status_code == 200
    assert t.opened("mines", "1", {"mines": 5})["status"] == "open"  # a new one may open now
    assert Decimal(mines["payout"]) == mines_multiplier(2, 2)
