"""Helpers for the multi-step games' HTTP tests (mines, hilo, blackjack; GAMES.md 1, 3, 5).

The tests play against the real reference wallet (the `world` fixture). To drive a round down
a chosen path they read the player's server seed from the platform's database (decrypted as
the platform does) and compute the stream themselves with games.fairness — the same public
algorithm any verifier uses — then pick the tiles to reveal, the hilo guesses, or the client
seed whose deal is the blackjack situation under test. Expected payouts are computed here from
GAMES.md's formulas, independently of games/rules.
"""

import itertools
import math
import re
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from common import worker
from common.db import database
from common.models import Round, SeedPair, WalletTransaction, utcnow
from common.operators import secret_box
from games.fairness import card_from_float, float_stream
from games.sessions import COOKIE_NAME
from tests.play_support import launch, put_config
from tests.world import CONFIG, GAMES

MULTI_STEP = ["mines", "hilo", "blackjack"]
START = Decimal("100")
CARD = re.compile(r"^(?:[2-9]|10|[JQKA])[DHSC]$")
HILO_RANK = {"A": 1, "J": 11, "Q": 12, "K": 13} | {str(n): n for n in range(2, 11)}


def multi_config(client, world, **currency):
    """Enable the three multi-step games (and the single-round ones); `currency` replaces the
    USDT limits (e.g. maxWin)."""
    currencies = dict(CONFIG["currencies"])
    if currency:
        currencies["USDT"] = {**currencies["USDT"], **currency}
    return put_config(client, world, enabledGames=[*GAMES, *MULTI_STEP], currencies=currencies)


def floor8(value):
    """An exact value rounded down to 8 decimal places, as a Decimal."""
    value = Fraction(value)
    return Decimal(math.floor(value * 10**8)) / Decimal(10**8)


def mines_multiplier(mines, safe):
    """GAMES.md 3: 0.99 × C(25, d) / C(25 − mines, d), rounded down to 8 dp."""
    return floor8(Fraction(99, 100) * math.comb(25, safe) / math.comb(25 - mines, safe))


def hilo_rank(card):
    return HILO_RANK[card[:-1]]


def hilo_chance(rank, guess):
    """GAMES.md 3: the chance a hilo guess on `rank` is right."""
    if rank == 1:
        return {"higher": Fraction(12, 13), "same": Fraction(1, 13)}[guess]
    if rank == 13:
        return {"lower": Fraction(12, 13), "same": Fraction(1, 13)}[guess]
    return {"higher": Fraction(14 - rank, 13), "lower": Fraction(rank, 13)}[guess]


def hilo_right(rank, guess, following):
    if guess == "same":
        return following == rank
    if guess == "higher":
        return following > rank if rank == 1 else following >= rank
    return following < rank if rank == 13 else following <= rank


def hilo_guesses(rank):
    if rank == 1:
        return ["higher", "same"]
    if rank == 13:
        return ["lower", "same"]
    return ["higher", "lower"]


# --- blackjack, computed from GAMES.md (independently of games/rules) ------------------------


def card_value(card):
    rank = card[:-1]
    return 1 if rank == "A" else 10 if rank in ("10", "J", "Q", "K") else int(rank)


def bj_total(cards):
    points = sum(card_value(c) for c in cards)
    if any(c.startswith("A") for c in cards) and points + 10 <= 21:
        return points + 10
    return points


def is_natural(cards):
    return len(cards) == 2 and bj_total(cards) == 21


def dealer_final(dealer, draws):
    """The dealer's cards after standing on all 17s; `draws` is an iterator of cards."""
    dealer = list(dealer)
    while bj_total(dealer) < 17:
        dealer.append(next(draws))
    return dealer


def hand_return(cards, dealer, stake):
    """What a finished (non-natural) hand returns against the dealer's final cards."""
    player, house = bj_total(cards), bj_total(dealer)
    if player > 21 or is_natural(dealer):
        return Decimal(0)
    if house > 21 or player > house:
        return 2 * stake
    return stake if player == house else Decimal(0)


def plain_deal(cards):
    """No natural on either side, no ace up, no pair: the player simply plays."""
    player, up, hole = [cards[0], cards[2]], cards[1], cards[3]
    return (
        not is_natural(player)
        and not is_natural([up, hole])
        and not up.startswith("A")
        and player[0][:-1] != player[1][:-1]
    )


def cards_of(server_seed, client_seed, nonce, count=52):
    """The first `count` cards of a round's stream (GAMES.md 1)."""
    floats = float_stream(server_seed, client_seed, nonce)
    return [card_from_float(f) for f in itertools.islice(floats, count)]


def mine_tiles(server_seed, client_seed, nonce, mines):
    """The mine tiles in pick order (GAMES.md 1: pick without replacement over 25 tiles)."""
    floats = float_stream(server_seed, client_seed, nonce)
    remaining = list(range(25))
    return [remaining.pop(math.floor(next(floats) * len(remaining))) for _ in range(mines)]


def refused(response, status, code, allowed=None):
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.json["error"]
    assert error["code"] == code, error
    if allowed is not None:
        assert error["details"]["allowed"] == allowed, error
    return error


def settled(t, round_):
    """The round as finally settled (a win still pending is fetched again)."""
    if round_["status"] == "win_pending":
        round_ = t.round(round_["id"])
    assert round_["status"] == "settled", round_
    assert round_["allowedActions"] == []
    return round_


def assert_wallet_moved(t, *rounds, start=START):
    """The wallet balance is start + Σ(payout − amount) and its ledger matches the rounds."""
    staked = sum((Decimal(r["amount"]) for r in rounds), Decimal(0))
    paid = sum((Decimal(r["payout"]) for r in rounds), Decimal(0))
    assert t.balance() == start - staked + paid
    for r in rounds:
        rows = t.wallet_rows(r["id"])
        # The bets that stand: refused and rolled-back ones moved no money in the end.
        bets = [w for w in rows if w.kind == "bet" and w.state not in ("refused", "rolled_back")]
        wins = [w for w in rows if w.kind == "win"]
        assert sum((w.amount for w in bets), Decimal(0)) == Decimal(r["amount"])
        # Every stake the wallet is asked for has at most 8 decimal places (docs: a stake).
        assert all(w.amount == w.amount.quantize(Decimal("1e-8")) for w in bets), bets
        assert [w.amount for w in wins] == [Decimal(r["payout"])]
        assert len({w.transaction_id for w in rows}) == len(rows)


# --- the platform's side ---------------------------------------------------------------------


class Table:
    """A player at the table: their test client of `games_app`, the wallet, and their seeds."""

    def __init__(self, games_app, client, world, sub="player-1"):
        self.games_app, self.client, self.world, self.sub = games_app, client, world, sub
        self.wallet = world["wallet"]
        self.operator_id = world["operator"]["id"]

    # HTTP
    def bet(self, game, amount="1", params=None):
        body = {"amount": amount, "params": params if params is not None else {}}
        return self.client.post(f"/v1/games/{game}/bets", json=body)

    def opened(self, game, amount="1", params=None):
        response = self.bet(game, amount, params)
        assert response.status_code == 201, response.json
        return response.json["round"]

    def act(self, round_id, action, **data):
        return self.client.post(f"/v1/rounds/{round_id}/actions", json={"action": action, **data})

    def acted(self, round_id, action, **data):
        response = self.act(round_id, action, **data)
        assert response.status_code == 200, (action, data, response.json)
        return response.json["round"]

    def round(self, round_id):
        response = self.client.get(f"/v1/rounds/{round_id}")
        assert response.status_code == 200, response.json
        return response.json["round"]

    def balance(self):
        return self.wallet.balance(self.sub)

    def cookie(self):
        return self.client.get_cookie(COOKIE_NAME).value

    def same_session(self, app):
        """A test client of `app` carrying this player's session cookie."""
        other = app.test_client()
        cookie = self.client.get_cookie(COOKIE_NAME)
        other.set_cookie(COOKIE_NAME, cookie.value, domain=cookie.domain, path=cookie.path)
        return other

    # Seeds (read from the platform's database, decrypted as the platform does)
    def _db(self, fn):
        with self.games_app.app_context(), database.connection_context():
            return fn()

    def active_seeds(self):
        """(server seed, client seed, nonce) the next round will use."""
        assert self.client.get("/v1/fairness").status_code == 200  # makes the pair on first use

        def read():
            pair = SeedPair.get(SeedPair.active_key == f"{self.operator_id}:{self.sub}")
            return secret_box().decrypt(pair.server_seed_encrypted), pair.client_seed, pair.nonce

        return self._db(read)

    def round_seeds(self, round_id):
        """(server seed, client seed, nonce) a round was played with."""

        def read():
            row = Round.get_by_id(round_id)
            pair = row.seed_pair
            seed = pair.revealed_server_seed or secret_box().decrypt(pair.server_seed_encrypted)
            return seed, row.client_seed, row.nonce

        return self._db(read)

    def choose_deck(self, wanted, tries=5000):
        """Set a client seed whose next stream's cards satisfy `wanted(cards)`; return cards."""
        server_seed, _, nonce = self.active_seeds()
        for i in range(tries):
            client_seed = f"pick-{i}"
            cards = cards_of(server_seed, client_seed, nonce, 16)
            if wanted(cards):
                response = self.client.post(
                    "/v1/fairness/client-seed", json={"clientSeed": client_seed}
                )
                assert response.status_code == 200, response.json
                return cards
        pytest.fail("no client seed gives the wanted deal")

    def transactions(self, round_id):
        def read():
            return list(
                WalletTransaction.select()
                .where(WalletTransaction.round == round_id)
                .order_by(WalletTransaction.created_at)
            )

        return self._db(read)

    def row(self, round_id):
        return self._db(lambda: Round.get_by_id(round_id))

    def wallet_rows(self, round_id=None):
        rows = self.wallet.transactions(self.sub)
        return [r for r in rows if round_id is None or r.round_id == round_id]


def table(games_app, games_client, client, world, sub="player-1", balance=None, **currency):
    """Enable the multi-step games and launch `sub` (added to the wallet with `balance`)."""
    multi_config(client, world, **currency)
    if balance is not None:
        world["wallet"].add_player(sub, "USDT", balance)
    launch(games_client, world, sub=sub, game="mines")
    return Table(games_app, games_client, world, sub)


def run_worker(games_app, ahead=timedelta(minutes=10)):
    """One worker pass with `now` moved ahead (inside the games app's context)."""
    with games_app.app_context():
        return worker.run_once(now=utcnow() + ahead)


IDLE_AHEAD = timedelta(seconds=900 + 60)  # past the default ROUND_IDLE_SECONDS


def _pending_count():
    with database.connection_context():
        return WalletTransaction.select().where(WalletTransaction.status == "pending").count()


def drain(games_app, ahead=timedelta(minutes=10), passes=5):
    """Worker passes until nothing is pending (wins, rollbacks or stale bets)."""
    for _ in range(passes):
        run_worker(games_app, ahead)
        if _pending_count() == 0:
            return
    raise AssertionError("wallet transactions still pending")


def cards_in(value):
    """Every card-looking string anywhere in a JSON value."""
    if isinstance(value, str):
        return [value] if CARD.match(value) else []
    if isinstance(value, dict):
        return [c for v in value.values() for c in cards_in(v)]
    if isinstance(value, list):
        return [c for v in value for c in cards_in(v)]
    return []
