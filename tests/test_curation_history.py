"""Every saved curation is kept (who, when, the note), the latest is the trial's current one,
and an earlier version comes back by being saved again; the database holds the invariants."""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import replace

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from screening.curation.models import Curation
from screening.curation.store import export_trial, save
from screening.models import Trial
from tests.conftest import shared_path

pytestmark = pytest.mark.django_db
NCT_ID = "NCT03377387"


@pytest.fixture
def trial(tmp_path) -> Trial:
    shutil.copy(shared_path("ctgov", "studies", f"{NCT_ID}.json"), tmp_path)
    call_command("import_studies", str(tmp_path / f"{NCT_ID}.json"), stdout=io.StringIO())
    return Trial.objects.get(nct_id=NCT_ID)


def version(trial: Trial, by: str, at: str, note: str, *, first_to_study_team: bool = False):
    """A curator's version of the trial's reading (its first item left to the study team, if asked)."""
    criteria = export_trial(trial).curation.criteria
    if first_to_study_team:
        criteria = [{"kind": criteria[0]["kind"], "text": criteria[0]["text"], "reading": "study_team"}, *criteria[1:]]
    return replace(export_trial(trial).curation, curated_by=by, curated_at=at, note=note, criteria=criteria)


def test_every_saved_version_is_kept_with_who_when_and_note_and_the_latest_is_current(trial, tmp_path):
    first = version(trial, "mlopez", "2026-11-21T12:00:00Z", "Checked against the protocol.")
    second = version(
        trial, "akim", "2026-11-22T09:30:00Z", "The age limit is the study team's.", first_to_study_team=True
    )
    save(trial, first)
    save(trial, second)

    history = list(trial.curations.values_list("curated_by", "note"))
    assert history == [("akim", "The age limit is the study team's."), ("mlopez", "Checked against the protocol.")]
    assert Curation.objects.current().get().curated_by == "akim"
    assert export_trial(trial).curation == second

    # Restoring the first version is saving it again: the history keeps both steps.
    save(trial, first)
    assert trial.curations.count() == 3
    assert json.loads(export_trial(trial).curation.dumps()) == first.data()
    assert save(trial, first) is None  # already the current one: nothing added


@pytest.mark.parametrize(
    "field, value",
    [("criteria_sha256", "not-a-hash"), ("digest", "F" * 64), ("curated_by", "")],
)
def test_the_database_refuses_a_version_that_breaks_an_invariant(trial, field, value):
    saved = save(trial, version(trial, "mlopez", "2026-11-21T12:00:00Z", ""))
    setattr(saved, field, value)
    saved.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        saved.save()
