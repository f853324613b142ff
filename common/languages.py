"""BCP 47 language tags as the platform accepts them (en, pt-BR, zh-Hant-TW)."""

import re

LANGUAGE_PATTERN = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
MAX_LANGUAGE_LENGTH = 35


def is_language_tag(value):
    return (
        isinstance(value, str)
        and len(value) <= MAX_LANGUAGE_LENGTH
        and LANGUAGE_PATTERN.match(value) is not None
    )
