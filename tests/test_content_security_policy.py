"""Every page carries a strict Content-Security-Policy (django-csp), and the pages we serve give it
nothing to block: no inline script or style, and htmx told not to inject its indicator style."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string

from tests.questionnaire_answers import DETAILED
from tests.test_questionnaire import answer_all

pytestmark = pytest.mark.django_db


def answered(client) -> str:
    return answer_all(client, DETAILED)[0]


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def served_pages(client) -> dict[str, str]:
    token = answered(client)
    client.post(f"/s/{token}/mark/DEMO-001/")
    paths = [
        "/",
        "/start/",
        "/glossary/",
        "/trials/",
        "/trials/DEMO-001/",
        f"/s/{token}/about-you/",
        f"/s/{token}/treatments/",
        f"/s/{token}/review/",
        f"/s/{token}/shortlist/?tier=all&kind=all",
        f"/s/{token}/sheet/",
        "/s/not-a-token/review/",
        "/admin/login/",
    ]
    return {path: client.get(path) for path in paths}


def test_every_page_has_a_strict_policy_and_gives_it_no_inline_script_or_style_to_block(client, demo_catalogue):
    for path, response in served_pages(client).items():
        directives = policy(response)
        assert directives["default-src"] == ["'self'"], path
        assert directives["object-src"] == ["'none'"], path
        assert directives["base-uri"] == ["'none'"], path
        assert directives["frame-ancestors"] == ["'none'"], path
        assert directives["form-action"] == ["'self'"], path
        for directive in ("script-src", "style-src"):
            assert directives[directive][0] == "'self'", path
            assert not {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'"} & set(directives[directive]), path
        if path.startswith("/admin/"):
            continue  # Django's own pages; the browser tests watch them for violations
        page = response.content.decode()
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page), path
        assert "<style" not in page, path
        assert not re.search(r"\sstyle=", page), path
        assert not re.search(r"\son[a-z]+=", page), path  # inline event handlers
        assert "hx-on" not in page, path


def test_htmx_is_told_not_to_inject_its_indicator_style_and_the_site_styles_its_indicators(client):
    page = client.get("/start/").content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page)[1]
    assert '"includeIndicatorStyles": false' in config
    with open("static/css/site.css") as css:
        assert ".htmx-request .htmx-indicator" in css.read()


def test_the_server_error_page_has_no_inline_style():
    page = render_to_string("500.html")
    assert "<style" not in page and not re.search(r"\sstyle=", page)


def test_the_staff_pages_have_the_policy_too(client):
    client.force_login(User.objects.create_superuser("curator", "curator@example.org", "a long passphrase"))
    assert policy(client.get("/admin/"))["default-src"] == ["'self'"]
