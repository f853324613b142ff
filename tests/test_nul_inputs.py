"""NUL characters never reach a PostgreSQL query (which would refuse them with a 500)."""

import jwt
import pytest

from tests.launch_helpers import claims, error_code


@pytest.mark.parametrize(
    "path",
    [
        "/demo/launch?operator=a%00&game=dice&currency=USDT",
        "/launch?token=a%00b",
        "/v1/aggregator/operators?cursor=%00",
        "/v1/rounds?limit=5&cursor=x%00",
    ],
)
def test_nul_in_a_query_parameter_is_422(games_client, path):
    response = games_client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert error_code(response) == "validation_error"


def test_nul_in_a_tokens_issuer_is_an_invalid_token(games_client, world):
    token = jwt.encode(claims(iss="mybrand\x00"), "any-secret-of-32-bytes-or-more-000", "HS256")
    response = games_client.get(
        "/launch", query_string={"token": token}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 401
    assert error_code(response) == "invalid_token"
