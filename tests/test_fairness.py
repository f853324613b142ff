"""Fairness primitives: the public vectors of GAMES.md §1, picks, cards and seeds."""

import hashlib
import hmac
import re
from itertools import islice

import pytest

from games.fairness import (
    byte_stream,
    card_from_float,
    float_stream,
    mine_positions,
    pick_without_replacement,
    random_client_seed,
    seed_hash,
    server_seed,
)
from games.rules import verify_outcome

DICE_SERVER = "f2ac89b608eeb01312d115bce6741b32"
DICE_CLIENT = "86ff027f15c48241af7f54a726690ee7"
MINES_SERVER = "5ff5c610e633b2a91c46d1be1f74286b"
MINES_CLIENT = "854581b6f52eaa86503f1dc6433655f9"


@pytest.fixture(autouse=True)
def clean_state():
    """Pure code: override the suite's database fixture, there is nothing to empty."""


def test_float_vector():
    floats = list(islice(float_stream("def", "abc", 0), 4))
    assert floats == [
        0.8320531346835196,
        0.8531235849950463,
        0.18227359023876488,
        0.774284637067467,
    ]


def test_byte_vector():
    seed = "c5e7146c5863d7d647c93ffe7d4ec13fffbb7311108fab0c067d97bcc2b32d55"
    assert list(islice(byte_stream(seed, "LuckyClientSeed777", 2), 4)) == [137, 90, 202, 182]


def test_bytes_continue_into_the_next_block():
    stream = list(islice(byte_stream("s", "c", 7), 40))
    block1 = hmac.new(b"s", b"c:7:1", hashlib.sha256).digest()
    assert stream[32:40] == list(block1[:8])


def test_floats_take_four_bytes_each():
    data = list(islice(byte_stream("s", "c", 1), 36))
    floats = list(islice(float_stream("s", "c", 1), 9))
    assert floats[8] == sum(b / 256 ** (i + 1) for i, b in enumerate(data[32:36]))


@pytest.mark.parametrize(
    ("nonce", "roll"), [(0, "28.07"), (1, "29.02"), (2, "5.86"), (3, "54.86"), (4, "9.66")]
)
def test_dice_vector(nonce, roll):
    params = {"target": "50", "condition": "under"}
    assert verify_outcome("dice", DICE_SERVER, DICE_CLIENT, nonce, params) == {"roll": roll}


def test_keno_vector():
    server, client = "ae1581dc89398cb8fdb84f0a2c64e816", "971f4d5c49eb1111385e9309d105227f"
    outcome = verify_outcome("keno", server, client, 0, {"risk": "classic", "picks": [1, 2]})
    assert sorted(outcome["drawn"]) == [1, 7, 9, 12, 14, 16, 21, 23, 30, 39]
    assert outcome["hits"] == 1


@pytest.mark.parametrize(("nonce", "mines", "tiles"), [(1, 2, [1, 21]), (4, 5, [0, 6, 16, 18, 22])])
def test_mines_vector(nonce, mines, tiles):
    assert mine_positions(MINES_SERVER, MINES_CLIENT, nonce, mines) == tiles


def test_mines_are_the_first_picks_of_24():
    picks = pick_without_replacement(float_stream(MINES_SERVER, MINES_CLIENT, 4), 25, 24)
    assert sorted(picks[:5]) == [0, 6, 16, 18, 22]
    assert len(set(picks)) == 24


@pytest.mark.parametrize("mines", [0, 25])
def test_mine_count_bounds(mines):
    with pytest.raises(ValueError, match="mines"):
        mine_positions(MINES_SERVER, MINES_CLIENT, 0, mines)


def test_pick_without_replacement_removes_each_pick():
    floats = iter([0.0, 0.0, 0.99, 0.5])
    # [0..4] -> take 0; [1..4] -> take 1; [2,3,4] -> take 4; [2,3] -> take 3
    assert pick_without_replacement(floats, 5, 4) == [0, 1, 4, 3]


def test_pick_refuses_more_than_the_population():
    with pytest.raises(ValueError):
        pick_without_replacement(iter([]), 3, 4)


@pytest.mark.parametrize(
    ("index", "card"),
    [(0, "2D"), (1, "2H"), (2, "2S"), (3, "2C"), (4, "3D"), (33, "10H"), (42, "QS"), (51, "AC")],
)
def test_card_from_float_is_rank_major(index, card):
    assert card_from_float((index + 0.5) / 52) == card
    assert card_from_float(index / 52) == card


def test_seeds():
    seed = server_seed()
    assert re.fullmatch(r"[0-9a-f]{64}", seed)
    assert seed != server_seed()
    assert seed_hash(seed) == hashlib.sha256(seed.encode()).hexdigest()
    assert seed_hash("def") == "cb8379ac2098aa165029e3938a51da0bcecfc008fd6795f401178647f96c5b34"
    client = random_client_seed()
    assert re.fullmatch(r"[0-9a-f]{32}", client)
    assert client != random_client_seed()
