"""Screen once, show many times: her shortlist is screened when her answers or the catalogue
change and stored; every later view reads it. A change made by another process or host is
seen at the next request, because what the list was screened against is read from the database."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from screening.knowledge import LEXICON, current_lexicon
from screening.models import Revision, Screening, Trial
from screening.screening import results_version
from tests.questionnaire_answers import DETAILED
from tests.test_questionnaire import answer_all

pytestmark = pytest.mark.django_db
DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"


@pytest.fixture
def screenings(monkeypatch) -> list[int]:
    """How many trials each stored screening covered."""
    sizes: list[int] = []
    original = Screening.keep_results

    def counted(self, results, version):
        sizes.append(len(results))
        original(self, results, version)

    monkeypatch.setattr(Screening, "keep_results", counted)
    return sizes


def _shown(client, token: str) -> list[str]:
    return re.findall(
        r'id="title-([^"]+)"', client.get(f"/s/{token}/shortlist/?tier=all&distance=any").content.decode()
    )


def test_the_shortlist_is_screened_once_and_later_views_and_marks_read_what_was_stored(
    client, demo_catalogue, screenings
):
    token, _ = answer_all(client, DETAILED)
    first = _shown(client, token)
    assert len(screenings) == 1 and screenings[0] == Trial.objects.open().for_breast_cancer().count()
    client.post(f"/s/{token}/mark/{first[0]}/")
    assert _shown(client, token) == first
    client.get(f"/s/{token}/shortlist/?tier=not_a_fit")
    assert len(screenings) == 1
    assert Screening.objects.get().results_version == results_version()


def test_changing_an_answer_screens_the_list_again(client, demo_catalogue, screenings):
    token, _ = answer_all(client, DETAILED)
    _shown(client, token)
    client.post(f"/s/{token}/about-you/", {"age": "17", "sex": "female"})  # refused: nothing changes
    assert Screening.objects.get().results is not None
    client.post(f"/s/{token}/about-you/", {"age": "80", "sex": "female"})
    assert Screening.objects.get().results is None
    _shown(client, token)
    assert len(screenings) == 2


def _import(tmp_path, nct_id: str, status: str = "RECRUITING") -> None:
    """As another host's sync would: straight into the shared database."""
    record = json.loads((DEMO / "DEMO-001.json").read_text())
    record["protocolSection"]["identificationModule"]["nctId"] = nct_id
    record["protocolSection"]["statusModule"]["overallStatus"] = status
    (tmp_path / f"{nct_id}.json").write_text(json.dumps(record))
    call_command("import_studies", str(tmp_path / f"{nct_id}.json"), stdout=io.StringIO())


def test_a_trial_imported_elsewhere_is_on_her_list_at_the_next_view(client, demo_catalogue, screenings, tmp_path):
    token, _ = answer_all(client, DETAILED)
    assert "NCT09999995" not in _shown(client, token)
    _import(tmp_path, "NCT09999995")
    assert "NCT09999995" in _shown(client, token)
    assert len(screenings) == 2


def test_a_trial_closed_elsewhere_leaves_her_list_at_the_next_view(client, demo_catalogue, tmp_path):
    _import(tmp_path, "NCT09999995")
    token, _ = answer_all(client, DETAILED)
    assert "NCT09999995" in _shown(client, token)
    _import(tmp_path, "NCT09999995", status="COMPLETED")
    assert "NCT09999995" not in _shown(client, token)


def test_a_lexicon_loaded_by_another_process_is_read_again_at_the_next_request(demo_catalogue):
    before = current_lexicon()
    assert current_lexicon() is before  # kept between requests
    Revision.objects.bump(LEXICON)  # what load_lexicon does in another process
    assert current_lexicon() is not before
    assert current_lexicon().version == before.version  # the same content, read again
