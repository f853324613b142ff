"""Operator config payloads: enabled games, currencies with bet limits, feature flags."""

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from common.catalog import GAME_CATALOG
from common.languages import LANGUAGE_PATTERN, MAX_LANGUAGE_LENGTH
from common.schemas import Amount, StrictBoolean, Timestamp

CURRENCY_CODE = validate.Regexp(r"^[A-Z0-9]{2,10}$", error="Use 2-10 uppercase letters or digits.")


class CurrencyLimitsSchema(Schema):
    min_bet = Amount(data_key="minBet", required=True, minimum=0, exclusive_minimum=True)
    max_bet = Amount(data_key="maxBet", required=True, minimum=0, exclusive_minimum=True)
    # null = no cap, as GET shows it.
    max_win = Amount(data_key="maxWin", allow_none=True, minimum=0, exclusive_minimum=True)

    @validates_schema
    def limits_in_order(self, data, **kwargs):
        if "min_bet" in data and "max_bet" in data and data["min_bet"] > data["max_bet"]:
            raise ValidationError("minBet must not exceed maxBet.", "minBet")
        max_win, max_bet = data.get("max_win"), data.get("max_bet")
        if max_win is not None and max_bet is not None and max_bet > max_win:
            raise ValidationError("maxBet must not exceed maxWin.", "maxWin")


class FeatureFlagsSchema(Schema):
    autoplay = StrictBoolean()
    turbo = StrictBoolean()
    chat = StrictBoolean()
    soundDefault = StrictBoolean(attribute="soundDefault")


class OperatorConfigInSchema(Schema):
    enabled_games = fields.List(
        fields.String(validate=validate.OneOf(GAME_CATALOG)),
        data_key="enabledGames",
        required=True,
        validate=validate.Length(max=len(GAME_CATALOG)),
    )
    currencies = fields.Dict(
        keys=fields.String(validate=CURRENCY_CODE),
        values=fields.Nested(CurrencyLimitsSchema),
        required=True,
        validate=validate.Length(max=100),
    )
    feature_flags = fields.Nested(FeatureFlagsSchema, data_key="featureFlags")
    demo_starting_balance = Amount(data_key="demoStartingBalance", minimum=0)
    default_language = fields.String(
        data_key="defaultLanguage",
        validate=[validate.Length(max=MAX_LANGUAGE_LENGTH), validate.Regexp(LANGUAGE_PATTERN)],
        metadata={"description": "Used when a launch token has no language. Default: en."},
    )

    @validates("enabled_games")
    def no_duplicates(self, value, **kwargs):
        seen = sorted({g for g in value if value.count(g) > 1})
        if seen:
            raise ValidationError(f"Listed more than once: {', '.join(seen)}.")


class CurrencyLimitsOutSchema(Schema):
    minBet = Amount(attribute="min_bet")
    maxBet = Amount(attribute="max_bet")
    maxWin = Amount(attribute="max_win", allow_none=True)


class OperatorConfigSchema(Schema):
    enabledGames = fields.List(fields.String(), attribute="enabled_games")
    currencies = fields.Dict(keys=fields.String(), values=fields.Nested(CurrencyLimitsOutSchema))
    featureFlags = fields.Dict(
        keys=fields.String(), values=fields.Boolean(), attribute="feature_flags"
    )
    demoStartingBalance = Amount(attribute="demo_starting_balance")
    defaultLanguage = fields.String(attribute="default_language")
    updatedAt = Timestamp(attribute="updated_at", allow_none=True)


class OperatorConfigEnvelopeSchema(Schema):
    config = fields.Nested(OperatorConfigSchema)
