"""Distances to trial sites, with US ZIP codes resolved offline."""

from __future__ import annotations

import math
from functools import lru_cache

import zipcodes

EARTH_RADIUS_MILES = 3958.8


@lru_cache(maxsize=4096)
def zip_point(postal_code: str) -> tuple[float, float] | None:
    code = postal_code.strip()[:5]
    # ASCII only: str.isdigit() also passes full-width, Arabic-Indic and superscript digits, and
    # zipcodes panics in its native code on them, which no `except Exception` catches.
    if len(code) != 5 or not (code.isascii() and code.isdigit()):
        return None
    try:
        found = zipcodes.matching(code)
    except (TypeError, ValueError):
        return None
    if not found:
        return None
    return float(found[0]["lat"]), float(found[0]["long"])


def miles_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))
