"""People and a shared shortlist for the navigation tests: a patient who has answered and shared,
staff of each role, and trials a sync brings in or changes."""

from __future__ import annotations

import io
import json
from pathlib import Path

from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client

from screening.models import Screening, token_digest
from screening.navigation.models import Share
from screening.staff.roles import Role
from tests.questionnaire_answers import DETAILED
from tests.test_questionnaire import answer_all


def staff(username: str, *roles: Role) -> User:
    user = User.objects.create_user(username, first_name=username.title())
    user.groups.add(*Group.objects.filter(name__in=roles))
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shared_shortlist(client: Client, **details: str) -> tuple[str, Share]:
    """She answers every question, then shares from her shortlist; her token and her share."""
    token, _ = answer_all(client, DETAILED)
    client.get(f"/s/{token}/shortlist/")  # screens her once, as her first look does
    response = client.post(f"/s/{token}/share/", details)
    assert response.status_code == 302, response.content.decode()
    return token, Share.objects.get(screening=Screening.objects.get(token_digest=token_digest(token)))


def first_with_tier(token: str, *tiers: str) -> str:
    screening = Screening.objects.get(token_digest=token_digest(token))
    return next(r["nct_id"] for r in screening.results if r["tier"] in tiers)


DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"


def import_trial(folder: Path, nct_id: str, title: str, *, status: str = "RECRUITING", minimum_age: str = "18 Years"):
    """A trial read as DEMO-001 is, imported as a sync (here or on another host) stores it: through
    `import_studies`, into the shared database, so her stored shortlist goes stale."""
    record = json.loads((DEMO / "DEMO-001.json").read_text())
    protocol = record["protocolSection"]
    protocol["identificationModule"].update(nctId=nct_id, briefTitle=title)
    protocol["statusModule"]["overallStatus"] = status
    protocol["eligibilityModule"]["minimumAge"] = minimum_age
    path = folder / f"{nct_id}.json"
    path.write_text(json.dumps(record))
    call_command("import_studies", str(path), stdout=io.StringIO())
