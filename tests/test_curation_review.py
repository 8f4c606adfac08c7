"""A curator reviews one trial: its text beside its reading, an item edited into her draft,
the preview of what saving would do, a signed save that patients' screening then uses, and
the history with earlier versions restored. Bad input is refused beside its field and
nothing is half-saved."""

from __future__ import annotations

import html
import io
import re
import shutil

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client

from screening.curation.drafts import DRAFTS
from screening.curation.models import Curation
from screening.curation.reading import automatic_items
from screening.engine.profile import load_profile
from screening.models import Revision, Screening, Trial
from screening.screening import screen_profile
from tests.conftest import shared_path

pytestmark = pytest.mark.django_db

# A real record whose last items are the trial's exclusions, read as inclusions for want of a
# heading: "Patients with historical HER2 status of IHC 2+/ISH+ or 3+" then rules out every
# woman whose cancer is not HER2-positive, which the study is not for. The curator's job.
NCT_ID = "NCT06131424"
HER2_ITEM_STARTS = "Patients with historical HER2 status"
CHANGED_TAG = 'text-ink">changed in your draft</span>'
HER2_LOW = {
    "schema": "trialscreen/profile@1",
    "age": 60,
    "sex": "female",
    "cancer": {"stage": "IV", "metastatic": True},
    "biomarkers": {"er": "positive", "pr": "positive", "her2": "low"},
}


@pytest.fixture
def trial(tmp_path) -> Trial:
    shutil.copy(shared_path("ctgov", "studies", f"{NCT_ID}.json"), tmp_path)
    call_command("import_studies", str(tmp_path / f"{NCT_ID}.json"), stdout=io.StringIO())
    return Trial.objects.get(nct_id=NCT_ID)


@pytest.fixture
def curator(settings) -> Client:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = User.objects.create_user("mlopez", password="amber kettle violin 42")
    user.groups.add(Group.objects.get(name="curator"))
    client = Client()
    client.force_login(user)
    return client


def her2_item(trial: Trial) -> int:
    items = automatic_items(trial.rules)
    return next(index for index, item in enumerate(items) if item["text"].startswith(HER2_ITEM_STARTS))


def item_post(trial: Trial, index: int, **changes) -> dict[str, str]:
    """The edit form for an item as the page fills it in, with `changes` made to it."""
    item = automatic_items(trial.rules)[index]
    data = {
        f"item-{index}-kind": item["kind"],
        f"item-{index}-text": item["text"],
        f"item-{index}-cohort": item.get("cohort", ""),
        f"item-{index}-reading": item["reading"],
        f"item-{index}-logic": item.get("logic", "all"),
    }
    constraints = item.get("constraints", [])
    prefix = f"constraints-{index}"
    data |= {
        f"{prefix}-TOTAL_FORMS": str(len(constraints) + 1),
        f"{prefix}-INITIAL_FORMS": str(len(constraints)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }
    for number, constraint in enumerate(constraints):
        data |= {
            f"{prefix}-{number}-concept": constraint["concept"],
            f"{prefix}-{number}-op": constraint["op"],
            f"{prefix}-{number}-value": ", ".join(constraint["value"])
            if isinstance(constraint["value"], list)
            else str(constraint["value"]).lower(),
        }
    for name, value in changes.items():
        key = name.replace("__", "-")
        data[key if key.startswith(prefix) else f"item-{index}-{key}"] = value
    return data


def tier_for(profile: dict, nct_id: str = NCT_ID) -> str:
    results = screen_profile(load_profile(profile), Trial.objects.filter(nct_id=nct_id))["results"]
    return results[0]["tier"]


def edit_url(index: int) -> str:
    return f"/curate/trials/{NCT_ID}/items/{index}/edit/"


# --- The page ---------------------------------------------------------------------------------


def test_the_review_page_shows_the_criteria_text_with_each_item_marked_beside_its_reading(curator, trial):
    response = curator.get(f"/curate/trials/{NCT_ID}/")

    assert response.status_code == 200
    text = response.content.decode()
    index = her2_item(trial)
    assert re.search(rf'<mark id="text-{index}"[^>]*>{HER2_ITEM_STARTS}', text)
    assert f'href="#item-{index}"' in text and f'id="item-{index}"' in text
    assert "Must have: HER2-positive" in text  # the constraint in plain words
    assert "&quot;concept&quot;: &quot;her2&quot;" in text  # and as data
    assert "Never curated" in text


def test_an_unknown_trial_is_a_404(curator, trial):
    assert curator.get("/curate/trials/NCT00000000/").status_code == 404
    assert curator.get(f"/curate/trials/{NCT_ID}/items/999/edit/").status_code == 404


# --- Editing an item into the draft -------------------------------------------------------------


def test_an_edited_item_goes_into_her_draft_and_not_to_patients(curator, trial):
    index = her2_item(trial)
    before = tier_for(HER2_LOW)

    response = curator.post(edit_url(index), item_post(trial, index, reading="study_team"))

    assert response.status_code == 302 and response["Location"].endswith(f"#item-{index}")
    draft = curator.session[DRAFTS][NCT_ID]["criteria"]
    assert draft[index] == {"kind": "inclusion", "text": draft[index]["text"], "reading": "study_team"}
    assert not Curation.objects.exists()
    assert tier_for(HER2_LOW) == before == "not_a_fit"
    page = curator.get(f"/curate/trials/{NCT_ID}/").content.decode()
    assert "Your draft changes 1 item" in page and page.count(CHANGED_TAG) == 1


def test_an_inline_edit_answers_with_the_item_and_the_draft_summary(curator, trial):
    index = her2_item(trial)

    form = curator.get(edit_url(index), headers={"HX-Request": "true"})
    assert form.status_code == 200
    assert "<html" not in form.content.decode() and f"Editing item {index + 1}" in form.content.decode()

    response = curator.post(edit_url(index), item_post(trial, index, kind="exclusion"), headers={"HX-Request": "true"})

    text = response.content.decode()
    assert response.status_code == 200 and "<html" not in text
    assert f'id="item-{index}"' in text and "Must not have: HER2-positive" in text
    assert 'id="draft"' in text and 'hx-swap-oob="true"' in text


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"constraints-{i}-0-op": "is"}, "constraints-{i}-0-op", "Choose one of her2's ops: in."),
        ({"constraints-{i}-0-value": "purple"}, "constraints-{i}-0-value", "must be one of"),
        ({"constraints-{i}-0-concept": ""}, "constraints-{i}-0-concept", "Choose the concept"),
        ({"text": "Patients who like HER2"}, "item-{i}-text", "is not in the trial's criteria text"),
        ({"kind": "both"}, "item-{i}-kind", "Select a valid choice"),
        ({"reading": "rule", "constraints-{i}-0-DELETE": "on"}, "item-{i}-reading", "one or more constraints"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_the_draft_is_untouched(curator, trial, changes, field, message):
    index = her2_item(trial)
    filled = {key.format(i=index): value for key, value in changes.items()}
    data = item_post(trial, index) | {
        (key if key.startswith(("constraints-", "item-")) else f"item-{index}-{key}"): value
        for key, value in filled.items()
    }

    response = curator.post(edit_url(index), data)

    text = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert message in text
    field_id = f"id_{field.format(i=index)}"
    # The message is tied to its field, and what she typed is still there.
    if "reading" not in field:
        assert f'id="{field_id}-error"' in text
    assert DRAFTS not in curator.session or NCT_ID not in curator.session[DRAFTS]
    if "text" in field:
        assert "Patients who like HER2" in text


def test_values_are_read_in_the_type_their_concept_takes(curator, trial):
    index = her2_item(trial)
    data = item_post(trial, index) | {
        f"constraints-{index}-1-concept": "ecog",
        f"constraints-{index}-1-op": "within",
        f"constraints-{index}-1-value": "ecog=1",
    }

    assert curator.post(edit_url(index), data).status_code == 302

    constraints = curator.session[DRAFTS][NCT_ID]["criteria"][index]["constraints"]
    assert constraints[1] == {"concept": "ecog", "op": "within", "value": {"ecog": 1}}


# --- Preview and save -------------------------------------------------------------------------


def test_the_preview_shows_the_change_and_how_many_patients_move_between_tiers(curator, trial):
    index = her2_item(trial)
    curator.post(edit_url(index), item_post(trial, index, reading="study_team"))

    response = curator.get(f"/curate/trials/{NCT_ID}/preview/")

    text = response.content.decode()
    assert response.status_code == 200
    assert "Changed" in text and "reading: rule → study_team" in text
    moved = re.search(r"Gold profiles: (\d+) of (\d+) would move between tiers", text)
    assert moved and int(moved.group(1)) > 0 and int(moved.group(2)) >= 10
    assert "Not a fit → " in text and HER2_ITEM_STARTS in text  # an example with the reason that moved
    assert 'name="note"' in text


def test_saving_needs_a_note_and_saves_nothing_without_one(curator, trial):
    index = her2_item(trial)
    curator.post(edit_url(index), item_post(trial, index, reading="study_team"))

    response = curator.post(f"/curate/trials/{NCT_ID}/save/", {"note": "  "})

    assert response.status_code == 400
    assert "Say in a few words what you changed" in response.content.decode()
    assert not Curation.objects.exists()
    assert NCT_ID in curator.session[DRAFTS]  # her draft is still there


def test_a_saved_reading_is_signed_and_used_for_every_patient_from_then_on(curator, trial):
    index = her2_item(trial)
    curator.post(edit_url(index), item_post(trial, index, reading="study_team"))
    revision = Revision.objects.numbers().get("curation", 0)

    response = curator.post(f"/curate/trials/{NCT_ID}/save/", {"note": "The HER2-positive item is an exclusion."})

    assert response.status_code == 302
    saved = Curation.objects.get()
    assert saved.curated_by == "mlopez" and saved.note == "The HER2-positive item is an exclusion."
    assert saved.criteria[index]["reading"] == "study_team"
    assert Revision.objects.numbers()["curation"] == revision + 1  # stored shortlists are screened again
    assert NCT_ID not in curator.session.get(DRAFTS, {})
    assert tier_for(HER2_LOW) != "not_a_fit"
    result = screen_profile(load_profile(HER2_LOW), Trial.objects.filter(nct_id=NCT_ID))["results"][0]
    assert result["reading"] == {"source": "curated", "curated_by": "mlopez", "curated_at": saved.data().curated_at}


def test_the_automatic_reading_can_be_signed_off_as_it_is(curator, trial):
    response = curator.post(f"/curate/trials/{NCT_ID}/save/", {"note": "Read as the engine did; checked."})

    assert response.status_code == 302
    assert Curation.objects.get().criteria == automatic_items(trial.rules)
    # Signing the same reading again adds nothing.
    curator.post(f"/curate/trials/{NCT_ID}/save/", {"note": "Again."})
    assert Curation.objects.count() == 1


def test_a_draft_made_against_text_that_has_since_changed_is_dropped(curator, trial):
    index = her2_item(trial)
    curator.post(edit_url(index), item_post(trial, index, reading="study_team"))
    Trial.objects.filter(id=trial.id).update(eligibility_text=trial.eligibility_text + "\n* A new item.")

    page = curator.get(f"/curate/trials/{NCT_ID}/").content.decode()

    assert "Your draft" not in page
    assert NCT_ID not in curator.session.get(DRAFTS, {})


def test_she_is_warned_when_someone_saved_a_version_while_her_draft_was_open(curator, trial):
    index = her2_item(trial)
    curator.post(edit_url(index), item_post(trial, index, reading="study_team"))
    other = User.objects.create_user("akim")
    other.groups.add(Group.objects.get(name="curator"))
    colleague = Client()
    colleague.force_login(other)
    colleague.post(f"/curate/trials/{NCT_ID}/save/", {"note": "Signed off as read."})

    page = curator.get(f"/curate/trials/{NCT_ID}/").content.decode()

    assert "Someone saved a new version of this reading since your draft began" in page


def test_discarding_her_draft_brings_back_the_reading_in_use(curator, trial):
    index = her2_item(trial)
    curator.post(edit_url(index), item_post(trial, index, reading="study_team"))

    assert curator.post(f"/curate/trials/{NCT_ID}/discard/").status_code == 302

    assert NCT_ID not in curator.session.get(DRAFTS, {})
    assert CHANGED_TAG not in curator.get(f"/curate/trials/{NCT_ID}/").content.decode()


# --- History and restoring ----------------------------------------------------------------------


def test_the_history_lists_every_version_with_what_changed_and_restores_an_earlier_one(curator, trial):
    index = her2_item(trial)
    curator.post(f"/curate/trials/{NCT_ID}/save/", {"note": "First look: as the engine read it."})
    curator.post(edit_url(index), item_post(trial, index, reading="study_team"))
    curator.post(f"/curate/trials/{NCT_ID}/save/", {"note": "HER2 item to the study team."})
    first, second = Curation.objects.order_by("id")

    page = curator.get(f"/curate/trials/{NCT_ID}/history/").content.decode()

    assert page.index("HER2 item to the study team.") < page.index("First look: as the engine read it.")
    assert "reading: rule → study_team" in page
    assert f"/history/{first.id}/restore/" in page and f"/history/{second.id}/restore/" not in page

    response = curator.post(f"/curate/trials/{NCT_ID}/history/{first.id}/restore/")

    assert response.status_code == 302
    assert curator.session[DRAFTS][NCT_ID]["criteria"] == first.criteria
    assert Curation.objects.count() == 2  # nothing saved until she saves it
    curator.post(f"/curate/trials/{NCT_ID}/save/", {"note": "Back to the first reading."})
    assert Curation.objects.count() == 3 and Curation.objects.current().get().criteria == first.criteria


def test_a_version_made_against_an_earlier_text_cannot_be_restored(curator, trial):
    curator.post(f"/curate/trials/{NCT_ID}/save/", {"note": "First."})
    index = her2_item(trial)
    curator.post(edit_url(index), item_post(trial, index, reading="study_team"))
    curator.post(f"/curate/trials/{NCT_ID}/save/", {"note": "Second."})
    first = Curation.objects.order_by("id").first()
    Trial.objects.filter(id=trial.id).update(eligibility_text=trial.eligibility_text + "\n* A new item.")

    response = curator.post(f"/curate/trials/{NCT_ID}/history/{first.id}/restore/", follow=True)

    assert "cannot be restored" in response.content.decode()
    assert NCT_ID not in curator.session.get(DRAFTS, {})


def test_a_saved_screening_is_counted_in_the_preview_without_saying_who_she_is(curator, trial):
    screening, token = Screening.begin()
    screening.answers = {key: value for key, value in HER2_LOW.items() if key != "schema"}
    screening.save()
    index = her2_item(trial)
    curator.post(edit_url(index), item_post(trial, index, reading="study_team"))

    text = curator.get(f"/curate/trials/{NCT_ID}/preview/").content.decode()

    assert re.search(r"Saved screenings: 1 of 1 would move between tiers", text)
    assert "A saved screening last changed" in text
    assert token not in text and str(screening.public_id) not in text
