"""Smoke: mint, launch against the reference wallet over HTTP, read the session, bet."""


def test_guide_flow_and_a_dice_bet(client, games_client, world):
    headers = world["aggregator"]["headers"]
    minted = games_client.post(
        "/v1/aggregator/operators/mybrand/launch-tokens",
        json={"sub": "player-1", "currency": "USDT", "game": "dice"},
        headers=headers,
    )
    assert minted.status_code == 201, minted.json
    launched = games_client.get(minted.json["launchUrl"])
    assert launched.status_code == 302, launched.get_data(as_text=True)
    session = games_client.get("/v1/session")
    assert session.status_code == 200, session.json
    assert session.json["session"]["balance"] == "100"
    bet = games_client.post(
        "/v1/games/dice/bets",
        json={"amount": "1", "params": {"target": "50", "condition": "under"}},
    )
    assert bet.status_code == 201, bet.json
    round_ = bet.json["round"]
    assert round_["status"] == "settled", round_
    expected = 100 - 1 + float(round_["payout"])
    assert float(world["wallet"].balance("player-1")) == expected
