"""Burned nonces are purged once their tokens can no longer verify, never earlier."""

from datetime import UTC, datetime, timedelta

import jwt

from common.db import database
from common.models import Nonce, utcnow
from tests.launch_helpers import error_code, launch, mint


def _nonces():
    with database.connection_context():
        return list(Nonce.select())


def test_purge_keeps_a_live_tokens_nonce(runner, games_client, world):
    minted = mint(games_client, world["aggregator"])
    assert launch(games_client, minted["token"]).status_code == 302
    result = runner.invoke(args=["nonces", "purge"])
    assert result.exit_code == 0, result.output
    assert "Purged 0" in result.output
    assert [n.jti for n in _nonces()] == [minted["jti"]]
    # The token still verifies, so its nonce must still refuse it.
    assert error_code(launch(games_client, minted["token"])) == "token_already_used"


def test_nonce_expires_after_the_token_and_its_leeway(games_client, world):
    minted = mint(games_client, world["aggregator"], ttlSeconds=60)
    assert launch(games_client, minted["token"]).status_code == 302
    (nonce,) = _nonces()
    exp = jwt.decode(minted["token"], options={"verify_signature": False})["exp"]
    token_expires = datetime.fromtimestamp(exp, UTC).replace(tzinfo=None)
    # Kept past the 10 s verification leeway (by one more second), and not much longer.
    assert nonce.expires_at == token_expires + timedelta(seconds=10 + 1)
    assert timedelta(seconds=60) < nonce.expires_at - utcnow() <= timedelta(seconds=60 + 11)


def test_purge_deletes_expired_nonces_only(runner, games_client, world):
    old = mint(games_client, world["aggregator"])
    assert launch(games_client, old["token"]).status_code == 302
    live = mint(games_client, world["aggregator"])
    assert launch(games_client, live["token"]).status_code == 302
    with database.connection_context():
        Nonce.update(expires_at=utcnow() - timedelta(seconds=1)).where(
            Nonce.jti == old["jti"]
        ).execute()
    result = runner.invoke(args=["nonces", "purge"])
    assert "Purged 1" in result.output
    assert [n.jti for n in _nonces()] == [live["jti"]]
