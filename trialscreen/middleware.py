from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

logger = logging.getLogger(__name__)

# A patient's answers live under her private link; staff pages show what patients and curators entered.
PRIVATE_PREFIXES = ("/s/", "/admin/", "/accounts/", "/curate/", "/navigate/")


def private_pages_not_stored(get_response: Callable[[HttpRequest], HttpResponse]):
    """`Cache-Control: no-store` on every response under a private prefix, errors included.

    By path rather than per view: a 404 for a wrong token, a 429 and an htmx fragment must not be
    kept by a browser or proxy either, and a view added later is covered without remembering to.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if request.path_info.startswith(PRIVATE_PREFIXES):
            # Replaces whatever a view set (the admin's never_cache too): no-store alone says it all.
            response["Cache-Control"] = "no-store"
        return response

    return middleware


# What a database that is down, restarting or unreachable raises (psycopg and sqlite3 alike).
DATABASE_DOWN = (OperationalError, InterfaceError)
# A restart or fail-over takes seconds to a minute; ask clients (and proxies) to wait that long.
RETRY_AFTER_SECONDS = 30


def database_unavailable(request: HttpRequest, error: Exception) -> HttpResponse:
    """The plain 503 page. It needs no database, so it can be shown while the database is down."""
    logger.error("Database unavailable, answered 503 for %s: %s", request.path, error)
    response = render(request, "503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached gets the 503 page with Retry-After, not the 500 page.

    Nothing is kept from the failed request: Django closes a connection that raised such an
    error when the request ends, so the next request connects afresh and the app recovers by
    itself once the database is back. With DEBUG on, a developer sees the traceback instead
    (a missing migration is an OperationalError too).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG or not isinstance(exception, DATABASE_DOWN):
            return None
        return database_unavailable(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 page for a database error raised outside a view, the 500 page otherwise.

    Middleware only sees exceptions from views and their templates; a database error raised by
    another middleware (the rate limits read their counters in process_view, sessions save on
    the way out) reaches Django's handler for uncaught exceptions instead, which calls this
    while the exception is being handled.
    """
    error = sys.exception()
    if isinstance(error, DATABASE_DOWN):
        return database_unavailable(request, error)
    return defaults.server_error(request)
