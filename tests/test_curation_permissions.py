"""Every page and action of the curators' workspace is for curators alone: anonymous visitors and
patients with their private link go to the sign-in page, navigators get a 403, and none of
them changes anything. The URLs are read from the URL conf, so a new one is covered too."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from screening.curation.models import Curation
from screening.curation.store import export_trial, save
from screening.models import Drug, Screening, Trial
from tests.conftest import shared_path

pytestmark = pytest.mark.django_db
NCT_ID = "NCT06131424"


def curation_routes() -> list[str]:
    """Every route of the `curation` namespace, as a pattern string ("curate/trials/<str:nct_id>/")."""
    found = []

    def walk(patterns, prefix: str, inside: bool) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern), inside or entry.namespace == "curation")
            elif isinstance(entry, URLPattern) and inside:
                found.append(prefix + str(entry.pattern))

    walk(get_resolver().url_patterns, "/", False)
    return found


@pytest.fixture
def trial(tmp_path) -> Trial:
    shutil.copy(shared_path("ctgov", "studies", f"{NCT_ID}.json"), tmp_path)
    call_command("import_studies", str(tmp_path / f"{NCT_ID}.json"), stdout=io.StringIO())
    found = Trial.objects.get(nct_id=NCT_ID)
    save(found, replace(export_trial(found).curation, curated_by="mlopez", curated_at="2026-11-21T12:00:00Z"))
    return found


@pytest.fixture
def urls(trial) -> list[str]:
    version = Curation.objects.get().id
    values = {"<str:nct_id>": NCT_ID, "<int:index>": "0", "<int:version>": str(version)}
    drug = Drug.objects.order_by("name").first()
    filled = []
    for route in curation_routes():
        for marker, value in values.items():
            route = route.replace(marker, value)
        # Any other part of a route (a drug's name, say) gets a real one where there is one.
        while "<" in route:
            start, end = route.index("<"), route.index(">")
            route = route[:start] + (drug.name if drug else "x") + route[end + 1 :]
        filled.append(route)
    return filled


def user_with(role: str) -> Client:
    user = User.objects.create_user(f"someone-{role}", password="amber kettle violin 42")
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


def test_the_workspace_has_its_pages_and_actions_under_one_namespace(urls):
    assert "/curate/" in urls
    assert f"/curate/trials/{NCT_ID}/" in urls
    assert len(urls) >= 9  # the queue, the review page and its actions, the history, the lexicon


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in_and_change_nothing(urls, method):
    client = Client()
    for url in urls:
        response = getattr(client, method)(url)
        assert response.status_code in (302, 405), url
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/sign-in/?next="), url
    assert Curation.objects.count() == 1


def test_a_patient_with_her_private_link_is_no_curator(urls):
    screening, token = Screening.begin()
    client = Client()
    assert client.get(f"/s/{token}/review/").status_code == 200
    for url in urls:
        response = client.post(url)
        assert response.status_code in (302, 405), url
        assert response.status_code == 405 or response["Location"].startswith("/accounts/sign-in/"), url
    assert Curation.objects.count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_navigator_gets_the_403_page_everywhere_in_the_workspace(urls, method):
    client = user_with("navigator")
    for url in urls:
        response = getattr(client, method)(url)
        assert response.status_code in (403, 405), url
    assert Curation.objects.count() == 1


def test_a_curator_opens_every_page_of_the_workspace(urls):
    client = user_with("curator")
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 405), url
        if response.status_code == 302:
            assert not response["Location"].startswith("/accounts/"), url
