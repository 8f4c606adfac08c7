"""Three-valued logic: a fact about a patient is True, False or None (unknown)."""

from __future__ import annotations

from collections.abc import Iterable

Truth = bool | None


def all_of(values: Iterable[Truth]) -> Truth:
    values = list(values)
    if any(value is False for value in values):
        return False
    if all(value is True for value in values):
        return True
    return None


def any_of(values: Iterable[Truth]) -> Truth:
    values = list(values)
    if any(value is True for value in values):
        return True
    if all(value is False for value in values):
        return False
    return None


def negate(value: Truth) -> Truth:
    return None if value is None else not value
