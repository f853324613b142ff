"""Operator config (PUT/GET /api/v1/bo/aggregator/operators/:id/config).

Contracts: the guide's "Configure the operator" example, SPEC section 3 (config rules), section 5
(exact money) and section 7 (errors).
"""

import copy

import pytest

from tests.conftest import make_operator

OPERATORS = "/api/v1/bo/aggregator/operators"
GUIDE_CONFIG = {
    "enabledGames": ["crash", "dice", "blackjack", "baccarat"],
    "currencies": {
        "USDT": {"minBet": "0.1", "maxBet": "500"},
        "BTC": {"minBet": "0.000005", "maxBet": "0.01"},
    },
    "featureFlags": {"autoplay": True, "turbo": True, "chat": False, "soundDefault": True},
    "demoStartingBalance": 1000,
}
CATALOG = [
    "dice",
    "limbo",
    "keno",
    "wheel",
    "plinko",
    "mines",
    "hilo",
    "crash",
    "roulette",
    "blackjack",
    "baccarat",
    "coinflip",
    "russian_roulette",
    "dice_fight",
    "multiplayer_blackjack",
]
BIG = "12345678901234.123456789012345678"
TINY = "0.000005"


@pytest.fixture
def config_url(operator):
    return f"{OPERATORS}/{operator['id']}/config"


def put(client, aggregator, url, body):
    return client.put(url, json=body, headers=aggregator["headers"])


def get(client, aggregator, url):
    response = client.get(url, headers=aggregator["headers"])
    assert response.status_code == 200, response.json
    return response.json["config"]


def without_timestamp(config):
    return {key: value for key, value in config.items() if key != "updatedAt"}


def find_key(tree, name):
    """True when `name` is a key somewhere in the nested error details."""
    if not isinstance(tree, dict):
        return False
    return name in tree or any(find_key(value, name) for value in tree.values())


def assert_names_field(response, top, leaves=()):
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == "validation_error"
    fields = error["details"]["fields"]
    assert top in fields, fields
    if leaves:
        assert any(find_key(fields[top], leaf) for leaf in leaves), fields


# --- reading and writing ------------------------------------------------------------------


def test_config_before_any_put_is_empty(client, aggregator, config_url):
    config = get(client, aggregator, config_url)

    assert config["enabledGames"] == []
    assert config["currencies"] == {}
    assert config["featureFlags"] == {
        "autoplay": False,
        "turbo": False,
        "chat": False,
        "soundDefault": False,
    }
    assert config["demoStartingBalance"] == "0"


def test_the_guides_example_round_trips(client, aggregator, config_url):
    response = put(client, aggregator, config_url, GUIDE_CONFIG)

    assert response.status_code == 200, response.json
    stored = response.json["config"]
    assert stored["enabledGames"] == ["crash", "dice", "blackjack", "baccarat"]
    assert set(stored["currencies"]) == {"USDT", "BTC"}
    for code, limits in GUIDE_CONFIG["currencies"].items():
        assert stored["currencies"][code]["minBet"] == limits["minBet"]
        assert stored["currencies"][code]["maxBet"] == limits["maxBet"]
        assert stored["currencies"][code].get("maxWin") is None
    assert stored["featureFlags"] == GUIDE_CONFIG["featureFlags"]
    assert stored["demoStartingBalance"] == "1000"
    assert isinstance(stored["updatedAt"], str) and stored["updatedAt"].endswith("Z")

    assert get(client, aggregator, config_url) == stored


def test_config_by_operator_code(client, aggregator, operator):
    response = put(client, aggregator, f"{OPERATORS}/{operator['code']}/config", GUIDE_CONFIG)
    assert response.status_code == 200, response.json

    by_id = get(client, aggregator, f"{OPERATORS}/{operator['id']}/config")
    by_code = get(client, aggregator, f"{OPERATORS}/{operator['code']}/config")
    assert by_id == by_code == response.json["config"]
    assert by_id["enabledGames"] == GUIDE_CONFIG["enabledGames"]


def test_put_replaces_the_whole_config(client, aggregator, config_url):
    assert put(client, aggregator, config_url, GUIDE_CONFIG).status_code == 200

    second = {
        "enabledGames": ["limbo"],
        "currencies": {"EUR": {"minBet": "1", "maxBet": "100", "maxWin": "5000"}},
    }
    response = put(client, aggregator, config_url, second)

    assert response.status_code == 200, response.json
    expected = {
        "enabledGames": ["limbo"],
        "currencies": {"EUR": {"minBet": "1", "maxBet": "100", "maxWin": "5000"}},
        "featureFlags": {"autoplay": False, "turbo": False, "chat": False, "soundDefault": False},
        "demoStartingBalance": "0",
        "defaultLanguage": "en",
    }
    assert without_timestamp(response.json["config"]) == expected
    assert without_timestamp(get(client, aggregator, config_url)) == expected


def test_put_may_empty_the_config(client, aggregator, config_url):
    put(client, aggregator, config_url, GUIDE_CONFIG)

    response = put(client, aggregator, config_url, {"enabledGames": [], "currencies": {}})

    assert response.status_code == 200
    config = get(client, aggregator, config_url)
    assert config["enabledGames"] == []
    assert config["currencies"] == {}


def test_the_whole_catalog_may_be_enabled(client, aggregator, config_url):
    response = put(
        client,
        aggregator,
        config_url,
        {"enabledGames": CATALOG, "currencies": {"USDT": {"minBet": "1", "maxBet": "1"}}},
    )
    assert response.status_code == 200, response.json
    assert get(client, aggregator, config_url)["enabledGames"] == CATALOG


def test_partial_feature_flags_default_to_false(client, aggregator, config_url):
    body = {"enabledGames": ["dice"], "currencies": {}, "featureFlags": {"chat": True}}
    assert put(client, aggregator, config_url, body).status_code == 200
    assert get(client, aggregator, config_url)["featureFlags"] == {
        "autoplay": False,
        "turbo": False,
        "chat": True,
        "soundDefault": False,
    }


def test_each_operator_has_its_own_config(client, aggregator, operator, config_url):
    other = make_operator(client, aggregator, "second-brand")
    other_url = f"{OPERATORS}/{other['id']}/config"
    put(client, aggregator, config_url, GUIDE_CONFIG)
    put(
        client,
        aggregator,
        other_url,
        {"enabledGames": ["keno"], "currencies": {"TRY": {"minBet": "5", "maxBet": "50"}}},
    )

    first = get(client, aggregator, config_url)
    assert first["enabledGames"] == GUIDE_CONFIG["enabledGames"]
    assert set(first["currencies"]) == {"USDT", "BTC"}
    second = get(client, aggregator, other_url)
    assert second["enabledGames"] == ["keno"]
    assert set(second["currencies"]) == {"TRY"}


# --- exact money --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "limits",
    [
        {"minBet": TINY, "maxBet": BIG, "maxWin": BIG},
        {"minBet": BIG, "maxBet": BIG, "maxWin": BIG},
        {"minBet": TINY, "maxBet": TINY, "maxWin": TINY},
        {"minBet": "0.000000000000000001", "maxBet": "99999999999999.999999999999999999"},
    ],
    ids=["tiny-to-big", "all-big", "all-tiny", "extremes"],
)
def test_amounts_round_trip_exactly(client, aggregator, config_url, limits):
    body = {"enabledGames": ["crash"], "currencies": {"BTC": limits}, "demoStartingBalance": BIG}

    response = put(client, aggregator, config_url, body)

    assert response.status_code == 200, response.json
    for config in (response.json["config"], get(client, aggregator, config_url)):
        stored = config["currencies"]["BTC"]
        assert stored["minBet"] == limits["minBet"]
        assert stored["maxBet"] == limits["maxBet"]
        assert stored.get("maxWin") == limits.get("maxWin")
        assert config["demoStartingBalance"] == BIG


def test_json_numbers_are_read_exactly(client, aggregator, config_url):
    raw = (
        '{"enabledGames": ["dice"], "currencies": {"USDT": {"minBet": 0.1, "maxBet": 500.25, '
        '"maxWin": 1000000}, "BTC": {"minBet": 0.000005, "maxBet": 0.3}}, '
        '"demoStartingBalance": 99.99}'
    )

    response = client.put(
        config_url, data=raw, content_type="application/json", headers=aggregator["headers"]
    )

    assert response.status_code == 200, response.json
    config = get(client, aggregator, config_url)
    assert config["currencies"] == {
        "BTC": {"minBet": "0.000005", "maxBet": "0.3", "maxWin": None},
        "USDT": {"minBet": "0.1", "maxBet": "500.25", "maxWin": "1000000"},
    }
    assert config["demoStartingBalance"] == "99.99"


def test_max_win_null_means_no_cap(client, aggregator, config_url):
    body = {
        "enabledGames": [],
        "currencies": {"USDT": {"minBet": "1", "maxBet": "2", "maxWin": None}},
    }

    response = put(client, aggregator, config_url, body)

    assert response.status_code == 200, response.json
    assert get(client, aggregator, config_url)["currencies"]["USDT"].get("maxWin") is None


# --- bad input ----------------------------------------------------------------------------


def with_usdt(**limits):
    body = copy.deepcopy(GUIDE_CONFIG)
    body["currencies"]["USDT"] = limits
    return body


def with_field(**fields):
    body = copy.deepcopy(GUIDE_CONFIG)
    body.update(fields)
    return body


def without(name):
    body = copy.deepcopy(GUIDE_CONFIG)
    del body[name]
    return body


BAD_CONFIGS = [
    pytest.param(
        with_usdt(minBet="10", maxBet="5"), "currencies", ("minBet", "maxBet"), id="min>max"
    ),
    pytest.param(with_usdt(minBet="0", maxBet="5"), "currencies", ("minBet",), id="min-zero"),
    pytest.param(with_usdt(minBet="1", maxBet="0"), "currencies", ("maxBet",), id="max-zero"),
    pytest.param(with_usdt(minBet="-1", maxBet="5"), "currencies", ("minBet",), id="min-negative"),
    pytest.param(with_usdt(minBet="1", maxBet="-5"), "currencies", ("maxBet",), id="max-negative"),
    pytest.param(
        with_usdt(minBet="1", maxBet="100", maxWin="50"),
        "currencies",
        ("maxWin", "maxBet"),
        id="max>maxWin",
    ),
    pytest.param(
        with_usdt(minBet="1", maxBet="5", maxWin="0"), "currencies", ("maxWin",), id="maxWin-zero"
    ),
    pytest.param(with_usdt(minBet="1"), "currencies", ("maxBet",), id="maxBet-missing"),
    pytest.param(with_usdt(maxBet="1"), "currencies", ("minBet",), id="minBet-missing"),
    pytest.param(
        with_usdt(minBet="1", maxBet="5", minbet="1"), "currencies", ("minbet",), id="limit-typo"
    ),
    pytest.param(
        with_field(currencies={"USDT": "1-5"}), "currencies", ("USDT",), id="limits-not-object"
    ),
    pytest.param(
        with_field(enabledGames=["crash", "poker"]), "enabledGames", (), id="unknown-game"
    ),
    pytest.param(with_field(enabledGames=["Dice"]), "enabledGames", (), id="game-wrong-case"),
    pytest.param(
        with_field(enabledGames=["dice", "dice"]), "enabledGames", (), id="duplicate-game"
    ),
    pytest.param(with_field(enabledGames="dice"), "enabledGames", (), id="games-not-list"),
    pytest.param(with_field(enabledGames=[1]), "enabledGames", (), id="game-not-string"),
    pytest.param(
        with_field(currencies={"usdt": {"minBet": "1", "maxBet": "2"}}),
        "currencies",
        (),
        id="currency-lowercase",
    ),
    pytest.param(
        with_field(currencies={"ABCDEFGHIJK": {"minBet": "1", "maxBet": "2"}}),
        "currencies",
        (),
        id="currency-too-long",
    ),
    pytest.param(
        with_field(currencies={"U": {"minBet": "1", "maxBet": "2"}}),
        "currencies",
        (),
        id="currency-too-short",
    ),
    pytest.param(
        with_field(currencies={"US-D": {"minBet": "1", "maxBet": "2"}}),
        "currencies",
        (),
        id="currency-hyphen",
    ),
    pytest.param(with_field(currencies=["USDT"]), "currencies", (), id="currencies-not-map"),
    pytest.param(
        with_field(featureFlags={"autoplay": "yes"}), "featureFlags", ("autoplay",), id="flag-yes"
    ),
    pytest.param(with_field(featureFlags={"turbo": 1}), "featureFlags", ("turbo",), id="flag-one"),
    pytest.param(
        with_field(featureFlags={"chat": None}), "featureFlags", ("chat",), id="flag-null"
    ),
    pytest.param(
        with_field(featureFlags={"teleport": True}),
        "featureFlags",
        ("teleport",),
        id="flag-unknown",
    ),
    pytest.param(with_field(featureFlags=True), "featureFlags", (), id="flags-not-object"),
    pytest.param(with_field(demoStartingBalance=-1), "demoStartingBalance", (), id="demo-negative"),
    pytest.param(
        with_field(demoStartingBalance="-0.01"), "demoStartingBalance", (), id="demo-negative-str"
    ),
    pytest.param(
        with_field(demoStartingBalance="lots"), "demoStartingBalance", (), id="demo-not-number"
    ),
    pytest.param(without("enabledGames"), "enabledGames", (), id="games-missing"),
    pytest.param(without("currencies"), "currencies", (), id="currencies-missing"),
    pytest.param(with_field(maxPlayers=10), "maxPlayers", (), id="unknown-top-level"),
    pytest.param(with_field(updatedAt="2024-01-01T00:00:00Z"), "updatedAt", (), id="read-only"),
]


@pytest.fixture
def configured(client, aggregator, config_url):
    """The operator holds the guide's config; returns it as stored."""
    response = put(client, aggregator, config_url, GUIDE_CONFIG)
    assert response.status_code == 200, response.json
    return response.json["config"]


@pytest.mark.parametrize(("body", "top", "leaves"), BAD_CONFIGS)
def test_bad_config_is_422_and_keeps_the_old_one(
    client, aggregator, config_url, configured, body, top, leaves
):
    response = put(client, aggregator, config_url, body)

    assert_names_field(response, top, leaves)
    assert get(client, aggregator, config_url) == configured


BAD_DECIMALS = [
    pytest.param("abc", id="letters"),
    pytest.param("NaN", id="nan"),
    pytest.param("Infinity", id="infinity"),
    pytest.param("-Infinity", id="minus-infinity"),
    pytest.param("sNaN", id="snan"),
    pytest.param("", id="empty"),
    pytest.param("1.2.3", id="two-points"),
    pytest.param("1,5", id="comma"),
    pytest.param(True, id="true"),
    pytest.param(None, id="null"),
    pytest.param([], id="list"),
    pytest.param({}, id="object"),
    pytest.param("0.0000000000000000001", id="19-places"),
    pytest.param("123456789012345", id="15-integer-digits"),
    pytest.param("1E+14", id="15-digits-exponent"),
]


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        pytest.param(field, *bad.values, id=f"{field}-{bad.id}")
        for field in ("minBet", "maxBet", "maxWin")
        for bad in BAD_DECIMALS
        # A null maxWin means no cap (test_max_win_null_means_no_cap).
        if not (field == "maxWin" and bad.values == (None,))
    ],
)
def test_bad_decimal_is_422_and_keeps_the_old_config(
    client, aggregator, config_url, configured, field, bad
):
    limits = {"minBet": "1", "maxBet": "10", "maxWin": "100", field: bad}

    response = put(client, aggregator, config_url, with_usdt(**limits))

    assert_names_field(response, "currencies", (field,))
    assert get(client, aggregator, config_url) == configured


@pytest.mark.parametrize(
    "raw",
    [b'{"enabledGames": ["dice"], "currencies": {', b"not json", b'{"enabledGames": [dice]}'],
    ids=["truncated", "text", "bare-word"],
)
def test_malformed_json_is_400_and_keeps_the_old_config(
    client, aggregator, config_url, configured, raw
):
    response = client.put(
        config_url, data=raw, content_type="application/json", headers=aggregator["headers"]
    )

    assert response.status_code == 400
    assert response.json["error"]["code"] == "malformed_json"
    assert get(client, aggregator, config_url) == configured


def test_config_of_a_missing_operator_is_404(client, aggregator):
    for method in ("GET", "PUT"):
        response = client.open(
            f"{OPERATORS}/no-such-brand/config",
            method=method,
            json=GUIDE_CONFIG,
            headers=aggregator["headers"],
        )
        assert response.status_code == 404
        assert response.json["error"]["code"] == "operator_not_found"


def test_config_needs_a_key(client, aggregator, config_url, configured):
    assert client.get(config_url).status_code == 401
    assert client.put(config_url, json={"enabledGames": [], "currencies": {}}).status_code == 401
    assert get(client, aggregator, config_url) == configured
