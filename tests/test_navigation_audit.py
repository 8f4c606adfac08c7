"""The audit log (django-auditlog): every navigator's view of a shared case and every change to a
share, decision or note is recorded with who did it; admins read it and nobody can change it."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType

from screening.navigation.models import Decision, Note, Share
from screening.staff.roles import Role
from tests.navigation_helpers import first_with_tier, shared_shortlist, signed_in, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(client, demo_catalogue):
    return shared_shortlist(client, nickname="Dee", contact="phone 555 0100")


def entries_for(model) -> list[LogEntry]:
    return list(LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model)).order_by("id"))


def test_a_navigator_opening_a_case_is_logged_as_an_access_by_that_navigator(case):
    _, share = case
    navigator = staff("akim", Role.NAVIGATOR)
    signed_in(navigator).get(f"/navigate/{share.code}/")
    access = [e for e in entries_for(Share) if e.action == LogEntry.Action.ACCESS]
    assert len(access) == 1 and access[0].actor == navigator and access[0].object_pk == str(share.pk)


def test_a_refused_lookup_logs_no_access(case):
    _, share = case
    share.stop()
    signed_in(staff("akim", Role.NAVIGATOR)).get(f"/navigate/{share.code}/")
    assert not [e for e in entries_for(Share) if e.action == LogEntry.Action.ACCESS]


def test_decisions_notes_and_status_changes_are_logged_with_the_navigator_who_made_them(case):
    token, share = case
    navigator = staff("akim", Role.NAVIGATOR)
    client = signed_in(navigator)
    nct_id = first_with_tier(token, "check_first", "worth_discussing")
    client.post(f"/navigate/{share.code}/trials/{nct_id}/decision/", {"decision-status": "checking_with_site"})
    client.post(f"/navigate/{share.code}/trials/{nct_id}/decision/", {"decision-status": "to_review"})
    client.post(f"/navigate/{share.code}/notes/", {"note-text": "Called her."})
    client.post(f"/navigate/{share.code}/status/", {"status": "in_review"})

    decisions = entries_for(Decision)
    assert [e.action for e in decisions] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert all(e.actor == navigator for e in decisions)
    assert decisions[1].changes_dict["status"] == ["checking_with_site", "to_review"]
    notes = entries_for(Note)
    assert len(notes) == 1 and notes[0].actor == navigator and "text" not in notes[0].changes_dict
    status = [e for e in entries_for(Share) if e.action == LogEntry.Action.UPDATE]
    assert status[-1].actor == navigator and status[-1].changes_dict["status"] == ["new", "in_review"]


def test_the_log_never_keeps_her_nickname_or_how_to_reach_her(case):
    _, share = case
    share.stop()
    share.screening.delete()
    logged = " ".join(f"{e.object_repr} {e.changes}" for e in LogEntry.objects.all())
    assert "Dee" not in logged and "555" not in logged
    assert LogEntry.Action.DELETE in [e.action for e in entries_for(Share)]


def test_admins_can_read_the_log_but_not_change_or_delete_it(case, client):
    _, share = case
    signed_in(staff("akim", Role.NAVIGATOR)).get(f"/navigate/{share.code}/")
    admin = User.objects.create_superuser("root", "root@example.org", None)
    client.force_login(admin)
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).get()
    assert client.get("/admin/auditlog/logentry/").status_code == 200
    assert client.get(f"/admin/auditlog/logentry/{entry.pk}/change/").status_code == 200
    assert client.get("/admin/auditlog/logentry/add/").status_code == 403
    assert client.post(f"/admin/auditlog/logentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(
        "/admin/auditlog/logentry/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    client.post(f"/admin/auditlog/logentry/{entry.pk}/change/", {"changes": "{}", "action": "0"})
    entry.refresh_from_db()
    assert entry.action == LogEntry.Action.ACCESS and LogEntry.objects.filter(pk=entry.pk).exists()
