"""Limits on what one address can do in bulk: start questionnaires and try private links that do not
exist. Past a limit the answer is the plain 429 page. Staff sign-in is limited by django-axes
(settings.AXES_*), which shows the same page.

django-ratelimit counts in the shared "limits" cache, so every worker and host sees the same counts.
Rates are read from the settings at each request: `TRIALSCREEN_RATE_LIMITS=off` turns them off.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class UnknownToken(Http404):
    """A private link whose token opens no saved answers."""


def client_ip(request: HttpRequest) -> str:
    """The address limits count by. An IPv6 client counts by its /64: one host or home usually has a whole /64."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.TRUST_X_FORWARDED_FOR:
        # The proxy appends the address it saw; anything before it is whatever the client sent.
        address = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip() or address
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "0.0.0.0"  # noqa: S104 (a label for addresses we cannot read, which then share one limit)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def rate(group: str, request: HttpRequest) -> str | None:
    """The rate for a group of requests, or None (no limit) when the limits are off."""
    return settings.RATE_LIMITS[group] if settings.RATE_LIMITS_ENABLED else None


def period_seconds(rate_text: str) -> int:
    _count, period = rate_text.split("/")
    return int(period[:-1] or 1) * PERIODS[period[-1]]


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "429.html", status=429)


class WrongTokenLimitMiddleware:
    """Counts private links that open nothing, per address; past the limit, refuses every private link.

    Refusing only the wrong ones would answer a right guess differently from a wrong one, and so
    confirm it. Once over, the address is refused for one period of the rate, then counted afresh.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if "token" in view_kwargs and rate("wrong-token", request) and caches["limits"].get(blocked_key(request)):
            return too_many_requests(request)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, UnknownToken):
            return None
        limit = rate("wrong-token", request)
        if limit and is_ratelimited(request, group="wrong-token", key="ip", rate=limit, increment=True):
            caches["limits"].set(blocked_key(request), True, period_seconds(limit))
            return too_many_requests(request)
        return None


def blocked_key(request: HttpRequest) -> str:
    # Hashed, like django-ratelimit's own keys: the cache table need not list anyone's address.
    return "wrong-token-blocked:" + hashlib.sha256(client_ip(request).encode()).hexdigest()


def create_cache_table(using: str = "default", **kwargs) -> None:
    """Makes the database cache's table (after migrate), which migrations do not; does nothing if it is there."""
    call_command("createcachetable", database=using, verbosity=0)
