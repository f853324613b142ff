"""The guide's first steps: an admin provisions an aggregator, which checks its key."""


def test_me_returns_the_aggregator_profile(client, aggregator):
    response = client.get("/api/v1/bo/aggregator/me", headers=aggregator["headers"])
    assert response.status_code == 200
    assert response.json == {
        "aggregator": {
            "id": aggregator["id"],
            "code": "acme-games",
            "name": "Acme Games Ltd",
            "status": "active",
            "createdAt": aggregator["createdAt"],
        }
    }


def test_health(games_client):
    assert games_client.get("/v1/health").json == {"status": "ok"}
