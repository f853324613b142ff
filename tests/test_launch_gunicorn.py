"""The aggregator guide's flow over real HTTP against gunicorn with several workers, and the
single-use launch token under a race between processes (SPEC 4 step 3)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import requests

from common.db import database
from common.models import Nonce, PlayerSession
from tests.conftest import ADMIN_KEY, SECRET_KEY
from tests.servers import Gunicorn
from tests.world import CONFIG

RACERS = 24
TIMEOUT = 30


@pytest.fixture(scope="module")
def platform(database_url):
    env = {
        "DATABASE_URL": database_url,
        "APP_ENV": "test",
        "SECRET_KEY": SECRET_KEY,
        "ADMIN_API_KEY": ADMIN_KEY,
        "BCRYPT_ROUNDS": "4",
    }
    with Gunicorn("wsgi:app", env, workers=3) as server:
        yield server.url


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def check(response, status):
    assert response.status_code == status, (response.status_code, response.text)
    return response.json() if response.content and status != 302 else None


def provision(http, platform, wallet):
    """Admin creates the aggregator; the aggregator creates and configures its operator, whose
    wallet is the reference wallet; the wallet gets the operator's secret and a player."""
    created = check(
        http.post(
            f"{platform}/api/v1/bo/aggregators",
            json={"code": "acme-games", "name": "Acme Games Ltd"},
            headers={"X-Admin-Key": ADMIN_KEY},
            timeout=TIMEOUT,
        ),
        201,
    )
    key = {"X-Aggregator-Key": created["apiKey"]}
    me = check(http.get(f"{platform}/api/v1/bo/aggregator/me", headers=key, timeout=TIMEOUT), 200)
    assert me["aggregator"]["code"] == "acme-games"
    operator = check(
        http.post(
            f"{platform}/api/v1/bo/aggregator/operators",
            json={
                "code": "mybrand",
                "name": "My Brand Casino",
                "walletBaseUrl": wallet.url,
                "gameFrontendBaseUrl": "https://play.mybrand.com",
                "walletTimeoutMs": 5000,
            },
            headers=key,
            timeout=TIMEOUT,
        ),
        201,
    )["operator"]
    check(
        http.put(
            f"{platform}/api/v1/bo/aggregator/operators/{operator['id']}/config",
            json=CONFIG,
            headers=key,
            timeout=TIMEOUT,
        ),
        200,
    )
    wallet.use_secret(operator["walletHmacSecret"])
    wallet.add_player("player-1", "USDT", "100")
    return key


def mint(http, platform, key, **body):
    return check(
        http.post(
            f"{platform}/v1/aggregator/operators/mybrand/launch-tokens",
            json={"sub": "player-1", "currency": "USDT", "game": "dice", **body},
            headers=key,
            timeout=TIMEOUT,
        ),
        201,
    )


def test_guide_flow_over_http(http, platform, wallet):
    key = provision(http, platform, wallet)
    listed = check(http.get(f"{platform}/v1/aggregator/operators", headers=key, timeout=30), 200)
    assert [o["code"] for o in listed["operators"]] == ["mybrand"]

    minted = mint(http, platform, key, ttlSeconds=120, returnUrl="https://play.mybrand.com/lobby")
    assert minted["expiresIn"] == 120

    launched = http.get(platform + minted["launchUrl"], allow_redirects=False, timeout=TIMEOUT)
    check(launched, 302)
    location = urlsplit(launched.headers["Location"])
    assert (location.scheme, location.netloc) == ("https", "play.mybrand.com")
    assert "return_url=https%3A%2F%2Fplay.mybrand.com%2Flobby" in location.query
    set_cookie = launched.headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie and "Secure" in set_cookie
    cookie = {"Cookie": f"bp_session={launched.cookies['bp_session']}"}

    session = check(http.get(f"{platform}/v1/session", headers=cookie, timeout=TIMEOUT), 200)
    assert session["session"]["sub"] == "player-1"
    assert session["session"]["balance"] == "100"
    assert session["session"]["returnUrl"] == "https://play.mybrand.com/lobby"

    # Now authenticated, the player can bet; the wallet sees the money move.
    bet = check(
        http.post(
            f"{platform}/v1/games/dice/bets",
            json={"amount": "1", "params": {"target": "50", "condition": "under"}},
            headers=cookie,
            timeout=TIMEOUT,
        ),
        201,
    )
    assert bet["round"]["status"] == "settled"
    assert wallet.balance("player-1") == Decimal(99) + Decimal(bet["round"]["payout"])

    again = http.get(
        platform + minted["launchUrl"],
        allow_redirects=False,
        headers={"Accept": "application/json"},
        timeout=TIMEOUT,
    )
    assert check(again, 409)["error"]["code"] == "token_already_used"

    check(http.delete(f"{platform}/v1/session", headers=cookie, timeout=TIMEOUT), 204)
    check(http.get(f"{platform}/v1/session", headers=cookie, timeout=TIMEOUT), 401)


def test_exactly_one_of_concurrent_launches_of_a_token_wins(http, platform, wallet):
    key = provision(http, platform, wallet)
    launch_url = platform + mint(http, platform, key)["launchUrl"]
    barrier = threading.Barrier(RACERS)

    def attempt(_):
        barrier.wait(timeout=TIMEOUT)
        # One session per thread: requests.Session is not thread-safe.
        with requests.Session() as session:
            response = session.get(
                launch_url,
                allow_redirects=False,
                headers={"Accept": "application/json"},
                timeout=TIMEOUT,
            )
            code = response.json()["error"]["code"] if response.status_code != 302 else None
            return response.status_code, code

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        results = list(pool.map(attempt, range(RACERS)))

    statuses = sorted(status for status, _ in results)
    assert statuses == [302] + [409] * (RACERS - 1), results
    assert {code for status, code in results if status == 409} == {"token_already_used"}
    with database.connection_context():
        assert Nonce.select().count() == 1
        assert PlayerSession.select().count() == 1
