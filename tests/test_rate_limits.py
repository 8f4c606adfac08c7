"""Limits on what one address can do in bulk: start questionnaires, try private links that do not
exist, and fail to sign in to the staff pages. Past a limit the answer is a plain 429 page.

Counters live in the database cache (and django-axes's own tables), so every worker and host sees
the same counts. The rest of the test suite runs with the limits off (tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_ratelimit import core

from screening.models import Screening

pytestmark = pytest.mark.django_db

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STRANGER = "203.0.113.7"
NEIGHBOUR = "198.51.100.20"


@pytest.fixture(autouse=True)
def limits_on(settings):
    settings.RATE_LIMITS_ENABLED = True
    settings.AXES_ENABLED = True
    settings.RATE_LIMITS = {"start": "20/m", "wrong-token": "30/m"}
    settings.AXES_FAILURE_LIMIT = 10
    caches["limits"].clear()


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """django-ratelimit counts in fixed windows; a test must not straddle one by chance."""
    now = SimpleNamespace(value=time.time())
    monkeypatch.setattr(core, "time", SimpleNamespace(time=lambda: now.value))
    return now


def is_the_plain_429_page(response) -> bool:
    page = response.content.decode()
    return (
        response.status_code == 429
        and "Please wait" in page
        and "try again" in page
        and "Traceback" not in page
        and "ratelimit" not in page.lower()
    )


def test_the_21st_new_questionnaire_in_a_minute_from_one_address_gets_the_plain_429_page(client):
    for _ in range(20):
        assert client.post("/start/", REMOTE_ADDR=STRANGER).status_code == 302
    response = client.post("/start/", REMOTE_ADDR=STRANGER)
    assert is_the_plain_429_page(response)
    assert Screening.objects.count() == 20
    assert client.get("/start/", REMOTE_ADDR=STRANGER).status_code == 200  # reading the page is not limited


def test_another_address_can_still_start_and_the_same_one_can_again_a_minute_later(client, clock):
    for _ in range(21):
        client.post("/start/", REMOTE_ADDR=STRANGER)
    assert client.post("/start/", REMOTE_ADDR=NEIGHBOUR).status_code == 302
    clock.value += 60
    assert client.post("/start/", REMOTE_ADDR=STRANGER).status_code == 302


def test_wrong_tokens_beyond_the_limit_get_429_and_so_does_a_real_one_from_that_address(client):
    real = Client().post("/start/")["Location"]
    for number in range(30):
        assert client.get(f"/s/guess{number:04d}/about-you/", REMOTE_ADDR=STRANGER).status_code == 404
    assert is_the_plain_429_page(client.get("/s/guess9999/about-you/", REMOTE_ADDR=STRANGER))
    # Answering a right guess differently from a wrong one would tell the guesser it was right.
    assert client.get(real, REMOTE_ADDR=STRANGER).status_code == 429
    assert client.get(real, REMOTE_ADDR=NEIGHBOUR).status_code == 200


def test_every_page_under_a_wrong_token_counts_and_a_real_link_does_not(client):
    real = client.post("/start/", REMOTE_ADDR=STRANGER)["Location"]
    token = real.split("/")[2]
    for _ in range(40):
        assert client.get(real, REMOTE_ADDR=STRANGER).status_code == 200
        assert client.get(f"/s/{token}/no-such-question/", REMOTE_ADDR=STRANGER).status_code == 404
    pages = ["about-you/", "review/", "shortlist/", "shortlist.json", "profile.json", "sheet/", "sheet.pdf"]
    for number in range(30):
        assert client.get(f"/s/guess{number:04d}/{pages[number % len(pages)]}", REMOTE_ADDR=STRANGER).status_code == 404
    assert client.post("/s/guess/mark/DEMO-001/", REMOTE_ADDR=STRANGER).status_code == 429


def sign_in(client, password: str, address: str = STRANGER):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "curator", "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


@pytest.fixture
def curator():
    return User.objects.create_superuser("curator", "curator@example.org", "the right passphrase")


def test_the_staff_sign_in_locks_out_a_name_at_an_address_after_ten_failures(client, curator):
    for _ in range(9):
        assert sign_in(client, "a wrong guess").status_code == 200
    assert sign_in(Client(), "the right passphrase").status_code == 302  # nine failures do not lock
    for _ in range(10):
        response = sign_in(client, "a wrong guess")
    assert is_the_plain_429_page(response)
    assert is_the_plain_429_page(sign_in(Client(), "the right passphrase"))
    assert sign_in(Client(), "the right passphrase", address=NEIGHBOUR).status_code == 302


def test_with_the_limits_off_nothing_is_limited(client, settings, curator):
    settings.RATE_LIMITS_ENABLED = False
    settings.AXES_ENABLED = False
    for _ in range(25):
        assert client.post("/start/", REMOTE_ADDR=STRANGER).status_code == 302
    for number in range(35):
        assert client.get(f"/s/guess{number:04d}/review/", REMOTE_ADDR=STRANGER).status_code == 404
    for _ in range(12):
        assert sign_in(client, "a wrong guess").status_code == 200
    assert sign_in(client, "the right passphrase").status_code == 302


def settings_read_with(**environment: str) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.RATE_LIMITS_ENABLED, settings.AXES_ENABLED, settings.RATE_LIMITS, "
        "settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "trialscreen.settings", **environment}
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)  # noqa: S603


def test_the_limits_are_on_by_default_and_read_from_the_environment(monkeypatch):
    for name in (
        "RATE_LIMITS",
        "RATE_START",
        "RATE_WRONG_TOKEN",
        "RATE_SHARE_LOOKUP",
        "LOGIN_FAILURES",
        "LOGIN_COOLOFF_MINUTES",
    ):
        monkeypatch.delenv(f"TRIALSCREEN_{name}", raising=False)
    default = settings_read_with()
    assert (
        default.stdout.strip()
        == "True True {'start': '20/m', 'wrong-token': '30/m', 'share-lookup': '60/m'} 10 0:15:00"
    ), default.stderr
    chosen = settings_read_with(
        TRIALSCREEN_RATE_START="5/h",
        TRIALSCREEN_RATE_WRONG_TOKEN="100/10m",
        TRIALSCREEN_RATE_SHARE_LOOKUP="10/m",
        TRIALSCREEN_LOGIN_FAILURES="4",
        TRIALSCREEN_LOGIN_COOLOFF_MINUTES="60",
    )
    assert (
        chosen.stdout.strip()
        == "True True {'start': '5/h', 'wrong-token': '100/10m', 'share-lookup': '10/m'} 4 1:00:00"
    ), chosen.stderr


def test_trialscreen_rate_limits_off_turns_every_limit_off():
    off = settings_read_with(TRIALSCREEN_RATE_LIMITS="off")
    assert off.stdout.startswith("False False "), off.stderr


def test_a_malformed_rate_stops_the_app_at_start_up_naming_the_variable():
    broken = settings_read_with(TRIALSCREEN_RATE_START="twenty a minute")
    assert broken.returncode != 0
    assert "TRIALSCREEN_RATE_START" in broken.stderr


def test_behind_a_proxy_the_address_it_saw_is_the_one_limited(client, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    for number in range(21):
        # A client can write anything before the proxy's entry; only the last one is the proxy's word.
        forwarded = f"10.0.0.{number}, {STRANGER}"
        response = client.post("/start/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert response.status_code == 429
    assert client.post("/start/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=NEIGHBOUR).status_code == 302


def test_migrate_makes_the_table_the_counters_live_in():
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE trialscreen_limits")
    call_command("migrate", verbosity=0)
    assert "trialscreen_limits" in connection.introspection.table_names()
