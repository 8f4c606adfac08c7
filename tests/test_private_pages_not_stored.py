"""Pages under a patient's private link and the staff pages carry `Cache-Control: no-store`, so no
browser, shared computer or proxy keeps a copy of her answers or of what staff saw."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from tests.questionnaire_answers import DETAILED
from tests.test_questionnaire import answer_all

pytestmark = pytest.mark.django_db


def answered(client) -> str:
    return answer_all(client, DETAILED)[0]


def test_every_kind_of_response_under_a_private_link_is_marked_no_store(client, demo_catalogue):
    token = answered(client)
    trial = "DEMO-001"
    client.post(f"/s/{token}/mark/{trial}/")
    responses = {
        "step page": client.get(f"/s/{token}/about-you/"),
        "htmx step": client.get(f"/s/{token}/diagnosis/", HTTP_HX_REQUEST="true"),
        "step post": client.post(f"/s/{token}/about-you/", DETAILED["about-you"]),
        "review": client.get(f"/s/{token}/review/"),
        "shortlist": client.get(f"/s/{token}/shortlist/"),
        "htmx results": client.get(f"/s/{token}/shortlist/?tier=all", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"),
        "htmx mark": client.post(f"/s/{token}/mark/{trial}/", HTTP_HX_REQUEST="true"),
        "sheet": client.get(f"/s/{token}/sheet/"),
        "pdf": client.get(f"/s/{token}/sheet.pdf"),
        "profile json": client.get(f"/s/{token}/profile.json"),
        "shortlist json": client.get(f"/s/{token}/shortlist.json"),
        "unknown question": client.get(f"/s/{token}/no-such-step/"),
    }
    for name, response in responses.items():
        assert response.status_code in (200, 302, 404), name
        assert response["Cache-Control"] == "no-store", name


def test_a_wrong_token_gets_a_404_that_is_not_stored_either(client):
    for path in ("/s/not-a-real-token/about-you/", "/s/not-a-real-token/shortlist.json", "/s/x/sheet.pdf"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Cache-Control"] == "no-store", path


def test_the_staff_pages_are_marked_no_store_signed_in_or_not(client):
    assert client.get("/admin/login/")["Cache-Control"] == "no-store"
    assert client.get("/admin/")["Cache-Control"] == "no-store"  # the redirect to the sign-in page
    client.force_login(User.objects.create_superuser("curator", "curator@example.org", "a long passphrase"))
    for path in ("/admin/", "/admin/auth/user/", "/admin/no-such-page/"):
        assert client.get(path)["Cache-Control"] == "no-store", path
    # The public pages hold nothing of hers or of staff's, and are left to the usual rules.
    for path in ("/", "/start/", "/trials/", "/glossary/"):
        assert "no-store" not in client.get(path).get("Cache-Control", ""), path
