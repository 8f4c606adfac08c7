"""A curator's whole round in a real browser: she signs in, opens a trial from the queue, reads
one item to the study team inline, sees the preview, saves; a patient's shortlist then shows
the trial's new verdict and `export_curated` writes the change as a diff of one file. Every
curator page passes axe-core with no serious problem and breaks no Content-Security-Policy rule."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client

from tests.browser import csp_violations, serious_accessibility_problems, signed_in
from tests.conftest import shared_path
from tests.questionnaire_answers import DETAILED
from tests.test_questionnaire import answer_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSPHRASE = "amber kettle violin 42"
# Its exclusions sit under no heading, so the engine reads "Patients with historical HER2 status of
# IHC 2+/ISH+ or 3+" as a requirement and a HER2-low patient as not a fit: a curator's fix.
NCT_ID = "NCT06131424"
ITEM_WORDS = "Patients with historical HER2 status"


@pytest.fixture
def catalogue(tmp_path):
    shutil.copy(shared_path("ctgov", "studies", f"{NCT_ID}.json"), tmp_path)
    call_command("import_studies", str(tmp_path / f"{NCT_ID}.json"), stdout=io.StringIO())


def card_tier(page, live_server, token: str) -> str:
    # Every kind of study and tier: this one is observational, and may start as not a fit.
    page.goto(f"{live_server.url}/s/{token}/shortlist/?kind=all&tier=all")
    card = page.locator("article.trial-card").filter(has_text=NCT_ID)
    return card.locator(".usa-tag[class*='tier-']").first.get_attribute("class").split("tier-")[1].split()[0]


def test_a_curator_reads_an_item_to_the_study_team_and_the_patient_sees_the_new_verdict(
    browser, live_server, catalogue, tmp_path
):
    User.objects.create_user("mlopez", password=PASSPHRASE).groups.add(Group.objects.get(name="curator"))
    answers = {step: values for step, values in DETAILED.items() if step != "location"}
    token, _ = answer_all(Client(), answers)
    before_dir, after_dir = tmp_path / "before", tmp_path / "after"
    call_command("export_curated", NCT_ID, out=before_dir, stdout=io.StringIO())

    patient = browser.new_context().new_page()
    assert card_tier(patient, live_server, token) == "not_a_fit"

    context, page, violations = signed_in(
        browser, f"{live_server.url}/curate/", "mlopez", PASSPHRASE, viewport={"width": 1280, "height": 900}
    )
    page.wait_for_url(f"{live_server.url}/curate/")
    assert serious_accessibility_problems(page) == []

    page.get_by_role("link", name=NCT_ID).first.click()
    page.wait_for_url(f"**/curate/trials/{NCT_ID}/")
    assert serious_accessibility_problems(page) == []

    item = page.locator("li.curation-item").filter(has_text=ITEM_WORDS)
    item.get_by_role("link", name="Edit item").click()
    form = page.locator("li.curation-item form")
    form.wait_for()
    assert page.url.endswith(f"/curate/trials/{NCT_ID}/")  # edited in place
    # Keyboard users land in the form they opened, not back at the top of the page.
    page.wait_for_function("document.activeElement && document.activeElement.textContent.startsWith('Editing item')")
    assert serious_accessibility_problems(page) == []
    form.locator("label").filter(has_text="The study team checks it").click()
    form.get_by_role("button", name="Keep this in your draft").click()
    item = page.locator("li.curation-item").filter(has_text=ITEM_WORDS)
    item.get_by_text("Not assessed: the study team will check this.").wait_for()
    page.get_by_text("Your draft changes 1 item").wait_for()

    page.get_by_role("link", name="Preview and save your changes").click()
    preview = page.get_by_role("region", name="What saving would change")
    preview.wait_for()
    assert preview.get_by_text("reading: rule → study_team").is_visible()
    preview.get_by_text("Gold profiles:").first.wait_for()
    assert serious_accessibility_problems(page) == []
    preview.get_by_label("Note for the history").fill("The HER2-positive item is one of the trial's exclusions.")
    preview.get_by_role("button", name="Save and sign as mlopez").click()
    page.get_by_role("status").filter(has_text="Saved and signed").wait_for()
    page.get_by_text("Patients' shortlists use mlopez's curation").wait_for()

    page.get_by_role("link", name="History").click()
    page.get_by_role("heading", name=f"{NCT_ID}: every saved reading").wait_for()
    assert page.get_by_text("The HER2-positive item is one of the trial's exclusions.").is_visible()
    assert serious_accessibility_problems(page) == []
    assert csp_violations(page, violations) == []
    context.close()

    assert card_tier(patient, live_server, token) in ("check_first", "worth_discussing")
    patient.context.close()

    call_command("export_curated", NCT_ID, out=after_dir, stdout=io.StringIO())
    before = json.loads((before_dir / f"{NCT_ID}.json").read_text())
    after = json.loads((after_dir / f"{NCT_ID}.json").read_text())
    assert (before["curated_by"], after["curated_by"]) == (None, "mlopez")
    changed = [(old, new) for old, new in zip(before["criteria"], after["criteria"], strict=True) if old != new]
    assert len(changed) == 1
    assert changed[0][0]["reading"] == "rule" and changed[0][1]["reading"] == "study_team"
    assert changed[0][1]["text"].startswith(ITEM_WORDS)
