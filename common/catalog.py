"""The games the platform knows, by id, in the order the guide lists them."""

GAME_CATALOG = (
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
)
