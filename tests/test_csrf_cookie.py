"""The CSRF cookie is out of reach of scripts: forms carry the token in a hidden field and htmx
sends it in a header written into the page, so no script needs to read the cookie."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from screening.models import Screening

pytestmark = pytest.mark.django_db


def test_the_csrf_cookie_is_http_only_and_htmx_posts_carry_the_token_written_into_the_page():
    client = Client(enforce_csrf_checks=True)
    response = client.get("/start/")
    assert response.cookies["csrftoken"]["httponly"] is True
    page = response.content.decode()
    headers = json.loads(re.search(r"<body hx-headers='([^']+)'", page)[1])
    response = client.post("/start/", headers={**headers, "HX-Request": "true"})
    assert response.status_code == 302
    assert client.post("/start/").status_code == 403  # the token is what lets it through


def test_a_form_sent_without_its_check_gets_a_plain_page_in_the_site_design_and_changes_nothing():
    response = Client(enforce_csrf_checks=True).post("/start/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Please send that again" in page and "nothing was changed" in page
    assert 'class="usa-header' in page  # the site's own page, not Django's yellow one
    assert not Screening.objects.exists()
