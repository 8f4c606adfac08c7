"""Curators add a drug, or a brand name of one, in their workspace: checked as `load_lexicon`
checks the files, saved whole or not at all, and the trials whose criteria name it read again."""

from __future__ import annotations

import logging
import re
from html import unescape

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from screening.curation import lexicon as workflow
from screening.engine.extract import rules_version
from screening.engine.lexicon import LexiconError
from screening.engine.parallel import rules_for
from screening.knowledge import current_lexicon, forget_lexicon
from screening.models import Drug, Revision, Trial
from screening.staff.roles import Role

pytestmark = pytest.mark.django_db

PAGE = "/curate/lexicon/"
ADD_DRUG = "/curate/lexicon/drugs/"
ADD_BRAND = "/curate/lexicon/brands/"
NAMES_ZORVEX = "Exclusion Criteria:\n\n* Prior treatment with Zorvex or any other oral SERD\n"
NAMES_NOTHING_NEW = "Exclusion Criteria:\n\n* Prior treatment with letrozole\n* Pregnant or breastfeeding\n"
HTMX = {"HTTP_HX_REQUEST": "true"}


def staff(username: str, role: Role) -> User:
    user = User.objects.create_user(username)
    user.groups.add(Group.objects.get(name=role))
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def curator() -> Client:
    return signed_in(staff("mlopez", Role.CURATOR))


def catalogued(nct_id: str, text: str) -> Trial:
    """A trial read with the lexicon in the database, as an import or a sync leaves it."""
    forget_lexicon()
    lexicon = current_lexicon()
    return Trial.objects.create(
        nct_id=nct_id,
        title=f"Trial {nct_id}",
        status="RECRUITING",
        record={},
        record_hash="x",
        eligibility_text=text,
        rules=rules_for(text, lexicon),
        rules_version=rules_version(lexicon),
    )


def therapies(trial: Trial) -> set[str]:
    trial.refresh_from_db()
    return {
        value
        for rule in trial.rules
        for constraint in rule.get("constraints", [])
        if isinstance(constraint.get("value"), list)
        for value in constraint["value"]
    }


def lexicon_revision() -> int:
    return Revision.objects.numbers().get("lexicon", 0)


def field_error(html: str, field: str) -> str:
    found = re.search(rf'id="id_{field}-error"[^>]*>([^<]*)<', html)
    return unescape(found[1]) if found else ""


def zorvestrant(**changes: object) -> dict:
    return {"name": "Zorvestrant", "brands": "Zorvex, Zorvex XR", "codes": "ZV-101", "classes": ["oral_serd"]} | changes


# The page


def test_the_page_lists_each_drug_with_its_brands_codes_and_classes_and_the_drug_classes(curator):
    html = curator.get(PAGE).content.decode()
    assert re.search(
        r">letrozole</th>\s*<td[^>]*>Femara</td>\s*<td[^>]*>none</td>\s*<td[^>]*>Aromatase inhibitor</td>", html
    )
    assert re.search(r">ribociclib</th>\s*<td[^>]*>Kisqali</td>\s*<td[^>]*>LEE011</td>", html)
    assert f"All {len(current_lexicon().drugs)} drugs of the lexicon." in html
    # Drug classes: each after the class it belongs to.
    assert re.search(r">Oral SERD[^<]*</th>\s*<td[^>]*><code>oral_serd</code></td>\s*<td[^>]*>Selective estrogen", html)
    # Both forms post to their own address, with htmx and without.
    assert 'action="/curate/lexicon/drugs/"' in html and 'hx-post="/curate/lexicon/drugs/"' in html
    assert 'action="/curate/lexicon/brands/"' in html and 'hx-post="/curate/lexicon/brands/"' in html


def test_the_drug_classes_are_checkboxes_in_a_fieldset_each_under_the_class_it_belongs_to(curator):
    html = curator.get(PAGE).content.decode()
    fieldset = html[html.index('<fieldset class="usa-fieldset" aria-describedby="id_classes-hint"') :]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    assert "<legend" in fieldset and "Drug classes</legend>" in fieldset
    serd = fieldset.index('value="serd"')
    oral_serd = fieldset.index('value="oral_serd"')
    # oral_serd sits in a list nested under serd's item.
    assert serd < oral_serd and "<ul" in fieldset[serd:oral_serd]
    assert '<label class="usa-checkbox__label" for="id_classes_oral_serd">' in fieldset


def test_searching_finds_drugs_by_brand_code_or_class_and_htmx_gets_the_list_alone(curator):
    html = curator.get(PAGE, {"q": "femara"}).content.decode()
    assert ">letrozole</th>" in html and ">tamoxifen</th>" not in html
    assert "1 of " in html and "match “femara”" in html
    assert ">ribociclib</th>" in curator.get(PAGE, {"q": "LEE011"}).content.decode()
    by_class = curator.get(PAGE, {"q": "aromatase"}).content.decode()
    assert {"letrozole", "anastrozole", "exemestane"} <= set(
        re.findall(r'scope="row" data-label="Generic name">([^<]+)<', by_class)
    )

    partial = curator.get(PAGE, {"q": "femara"}, **HTMX, HTTP_HX_TARGET="drug-results").content.decode()
    assert "<html" not in partial and ">letrozole</th>" in partial
    assert '<p id="drug-count" hx-swap-oob="innerHTML">1 of ' in partial

    nothing = curator.get(PAGE, {"q": "no such drug"}).content.decode()
    assert "No drug has “no such drug” in a name, a code or a class." in nothing


def test_the_add_a_brand_name_link_beside_a_drug_chooses_it_in_that_form(curator):
    html = curator.get(PAGE).content.decode()
    assert 'href="/curate/lexicon/?drug=letrozole#add-brand"' in html
    chosen = curator.get(PAGE, {"drug": "letrozole"}).content.decode()
    assert '<option value="letrozole" selected>' in chosen


# Adding a drug


def test_a_curator_adds_a_drug_and_only_the_trials_naming_it_are_read_again(curator, caplog):
    naming = catalogued("NCT90000001", NAMES_ZORVEX)
    other = catalogued("NCT90000002", NAMES_NOTHING_NEW)
    older = catalogued("NCT90000003", NAMES_NOTHING_NEW)
    Trial.objects.filter(id=older.id).update(rules_version="older-engine")
    other_rules = Trial.objects.get(id=other.id).rules
    assert "drug:zorvestrant" not in therapies(naming)
    revision = lexicon_revision()

    with caplog.at_level(logging.INFO, logger="trialscreen.curation"):
        response = curator.post(ADD_DRUG, zorvestrant())

    assert response.status_code == 302 and response["Location"] == "/curate/lexicon/?q=zorvestrant"
    drug = Drug.objects.get(name="zorvestrant")  # kept in lower case
    assert drug.brands == ["Zorvex", "Zorvex XR"] and drug.codes == ["ZV-101"]
    assert list(drug.classes.values_list("key", flat=True)) == ["oral_serd"]
    assert lexicon_revision() == revision + 1

    new_version = rules_version(current_lexicon())
    assert "drug:zorvestrant" in therapies(naming)  # "Zorvex" now reads as the drug
    naming.refresh_from_db()
    assert naming.rules_version == new_version
    other.refresh_from_db()
    assert other.rules == other_rules and other.rules_version == new_version  # read the same: only marked
    older.refresh_from_db()
    assert older.rules_version == "older-engine"  # not read with the lexicon before: left for load_lexicon

    page = curator.get(response["Location"]).content.decode()
    message = (
        "mlopez added the drug zorvestrant (brand names Zorvex, Zorvex XR; code ZV-101; "
        "class Oral SERD or new oral estrogen receptor drug). 1 trial naming it was read again; "
        "1 other keeps its reading."
    )
    assert message in page.replace("&#x27;", "'")
    assert ">zorvestrant</th>" in page
    assert any("mlopez added the drug zorvestrant" in record.getMessage() for record in caplog.records)


def test_a_trial_whose_text_holds_a_new_names_word_without_naming_it_is_only_marked():
    """ "101" of the code "ZV-101" is in the text, as a number of days: the trial reads the same."""
    trial = catalogued("NCT90000004", "Exclusion Criteria:\n\n* Prior letrozole within 101 days\n")
    rules = Trial.objects.get(id=trial.id).rules
    change = workflow.add_drug(workflow.NewDrug.typed("zorvestrant", "", "ZV-101", ["oral_serd"]), curator="mlopez")
    assert (change.read_again, change.kept) == (0, 1)
    trial.refresh_from_db()
    assert trial.rules == rules and trial.rules_version == rules_version(current_lexicon())


def test_an_htmx_post_swaps_the_form_and_brings_the_drug_list_and_the_brand_form_along(curator):
    response = curator.post(ADD_DRUG, zorvestrant(q="zorv"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<form id="add-drug-form"')
    assert 'value="Zorvestrant"' not in html  # the form is empty again
    assert '<div id="add-drug-status" hx-swap-oob="innerHTML">' in html and "mlopez added the drug zorvestrant" in html
    assert '<div id="drug-results" hx-swap-oob="innerHTML">' in html and ">zorvestrant</th>" in html
    assert "1 of " in html and "match “zorv”" in html  # the list as searched
    assert '<form id="add-brand-form"' in html and 'hx-swap-oob="true"' in html
    assert '<option value="zorvestrant">zorvestrant</option>' in html


BAD_DRUGS = [
    ("name", {"name": "Letrozole"}, "letrozole is already in the lexicon."),
    ("name", {"name": ""}, "Enter the drug's generic name."),
    ("name", {"name": "zorv*strant"}, "“zorv*strant”: use letters, digits, spaces, hyphens and commas only"),
    ("name", {"name": "zv"}, "“zv” is too short: a name has at least 3 characters."),
    ("name", {"name": "chemotherapy"}, "“chemotherapy” already reads as the drug class Chemotherapy (chemotherapy)."),
    ("brands", {"brands": "Zorvex, Femara"}, "“Femara” already names the drug letrozole."),
    ("brands", {"brands": "Zorvex, aromatase inhibitors"}, "already reads as the drug class Aromatase inhibitor"),
    ("brands", {"brands": "Zorvex®"}, "“Zorvex®”: use letters, digits, spaces and hyphens only"),
    ("brands", {"brands": "Zorvex, zorvex"}, "“zorvex” is given twice (as “Zorvex” too)"),
    ("codes", {"codes": "1234"}, "“1234” needs a letter"),
    ("codes", {"codes": "LEE-011"}, "“LEE-011” is another spelling of LEE011, a name of the drug ribociclib."),
    ("classes", {"classes": []}, "Tick at least one drug class."),
    ("classes", {"classes": ["no_such_class"]}, "no_such_class is not a drug class of the lexicon."),
]


@pytest.mark.parametrize("field, changes, message", BAD_DRUGS, ids=[m for _, _, m in BAD_DRUGS])
def test_bad_input_gives_a_message_beside_its_field_keeps_what_was_typed_and_saves_nothing(
    curator, field, changes, message
):
    naming = catalogued("NCT90000001", NAMES_ZORVEX)
    drugs, revision = Drug.objects.count(), lexicon_revision()

    response = curator.post(ADD_DRUG, zorvestrant(**changes))

    html = response.content.decode()
    assert response.status_code == 400
    assert message in field_error(html, field)
    # The error is tied to its field (a group of checkboxes: to their fieldset).
    assert re.search(rf'aria-describedby="[^"]*id_{field}-error"', html)
    assert "Nothing was saved." in html
    posted = zorvestrant(**changes)
    if field != "name" and posted["name"]:
        assert f'value="{posted["name"]}"' in html  # what was typed is kept
    if field != "classes":
        assert 'value="oral_serd" checked' in html
    assert Drug.objects.count() == drugs and lexicon_revision() == revision
    naming.refresh_from_db()
    assert "drug:zorvestrant" not in therapies(naming)


def test_every_problem_is_shown_at_once(curator):
    html = curator.post(ADD_DRUG, zorvestrant(name="Letrozole", brands="Femara", classes=[])).content.decode()
    assert "letrozole is already in the lexicon." in field_error(html, "name")
    assert "“Femara” already names the drug letrozole." in field_error(html, "brands")
    assert field_error(html, "classes") == "Tick at least one drug class."  # once, though two checks say so


def test_bad_input_over_htmx_swaps_the_form_with_its_messages_and_saves_nothing(curator):
    response = curator.post(ADD_DRUG, zorvestrant(brands="Femara"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps only a 200
    assert html.lstrip().startswith('<form id="add-drug-form"')
    assert "“Femara” already names the drug letrozole." in field_error(html, "brands")
    assert 'value="Femara"' in html
    assert '<div id="add-drug-status" hx-swap-oob="innerHTML"></div>' in html  # an earlier success message goes
    assert 'id="drug-results"' not in html
    assert not Drug.objects.filter(name="zorvestrant").exists()


def test_a_lexicon_load_lexicon_would_refuse_is_not_saved_at_all(curator, monkeypatch):
    """The last check comes after the drug is written: the transaction takes it back."""

    def refuse(lexicon):
        raise LexiconError("'zorvex' names both zorvestrant and another")

    monkeypatch.setattr(workflow, "check_lexicon", refuse)
    revision = lexicon_revision()
    response = curator.post(ADD_DRUG, zorvestrant())
    html = response.content.decode()
    assert response.status_code == 400
    assert "load_lexicon would refuse the lexicon with this: &#x27;zorvex&#x27; names both" in html
    assert not Drug.objects.filter(name="zorvestrant").exists() and lexicon_revision() == revision


def test_two_curators_cannot_add_the_same_brand_to_two_drugs():
    workflow.add_drug(workflow.NewDrug.typed("zorvestrant", "Zorvex", "", ["oral_serd"]), curator="mlopez")
    with pytest.raises(workflow.Refused) as refused:
        workflow.add_drug(workflow.NewDrug.typed("zorvolimab", "ZORVEX", "", ["pd1_pdl1_inhibitor"]), curator="akim")
    assert refused.value.problems == {"brands": ["“ZORVEX” already names the drug zorvestrant."]}


# Adding a brand name


def test_a_curator_adds_a_brand_name_and_the_trials_naming_it_read_the_drug(curator):
    naming = catalogued("NCT90000001", "Exclusion Criteria:\n\n* Prior treatment with Femarix\n")
    assert "drug:letrozole" not in therapies(naming)

    response = curator.post(ADD_BRAND, {"drug": "letrozole", "brand": "  Femarix "})

    assert response.status_code == 302 and response["Location"] == "/curate/lexicon/?q=letrozole"
    assert Drug.objects.get(name="letrozole").brands == ["Femara", "Femarix"]
    assert "drug:letrozole" in therapies(naming)
    page = curator.get(response["Location"]).content.decode()
    assert "mlopez added the brand name Femarix to letrozole. 1 trial naming it was read again" in page


def test_adding_a_brand_name_over_htmx_swaps_its_form_and_the_drug_list(curator):
    html = curator.post(ADD_BRAND, {"drug": "letrozole", "brand": "Femarix", "q": "letro"}, **HTMX).content.decode()
    assert html.lstrip().startswith('<form id="add-brand-form"')
    assert "mlopez added the brand name Femarix to letrozole." in html
    assert re.search(r">letrozole</th>\s*<td[^>]*>Femara, Femarix</td>", html)
    assert 'id="add-drug-form"' not in html


@pytest.mark.parametrize(
    "posted, field, message",
    [
        ({"drug": "letrozole", "brand": "Nolvadex"}, "brand", "“Nolvadex” already names the drug tamoxifen."),
        ({"drug": "letrozole", "brand": "Femara"}, "brand", "“Femara” already names the drug letrozole."),
        ({"drug": "letrozole", "brand": ""}, "brand", "Enter the brand name."),
        ({"drug": "letrozole", "brand": "Fem/ara"}, "brand", "use letters, digits, spaces and hyphens only"),
        ({"drug": "", "brand": "Femarix"}, "drug", "Choose the drug."),
        ({"drug": "letrozolex", "brand": "Femarix"}, "drug", "Choose a drug of the lexicon."),
    ],
)
def test_a_brand_name_that_clashes_or_is_malformed_is_refused_beside_its_field(curator, posted, field, message):
    before = {name: list(brands) for name, brands in Drug.objects.values_list("name", "brands")}
    response = curator.post(ADD_BRAND, posted)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in field_error(html, field)
    assert re.search(rf'aria-describedby="[^"]*id_{field}-error"', html)
    assert {name: list(brands) for name, brands in Drug.objects.values_list("name", "brands")} == before


def test_another_spelling_of_a_drugs_own_code_may_be_added_to_it_but_not_to_another_drug(curator):
    refused = curator.post(ADD_BRAND, {"drug": "letrozole", "brand": "LEE-011"}).content.decode()
    assert field_error(refused, "brand") == "“LEE-011” is another spelling of LEE011, a name of the drug ribociclib."
    assert curator.post(ADD_BRAND, {"drug": "ribociclib", "brand": "LEE-011"}).status_code == 302
    assert Drug.objects.get(name="ribociclib").brands == ["Kisqali", "LEE-011"]


# Who may


@pytest.mark.parametrize("url", [PAGE, ADD_DRUG, ADD_BRAND])
def test_only_curators_reach_the_lexicon(url):
    anonymous = Client().post(url, zorvestrant()) if url != PAGE else Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/sign-in/?next=")
    navigator = signed_in(staff("akim", Role.NAVIGATOR))
    forbidden = navigator.post(url, zorvestrant()) if url != PAGE else navigator.get(url)
    assert forbidden.status_code == 403
    assert not Drug.objects.filter(name="zorvestrant").exists()


@pytest.mark.parametrize("url", [ADD_DRUG, ADD_BRAND])
def test_the_adding_addresses_take_posts_only(curator, url):
    assert curator.get(url).status_code == 405


def test_the_page_takes_no_posts(curator):
    assert curator.post(PAGE, zorvestrant()).status_code == 405


# In a real browser


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_curator_adds_a_drug_with_the_keyboard_alone_and_every_state_of_the_page_passes_axe(browser, live_server):
    from tests.browser import csp_violations, serious_accessibility_problems, signed_in

    User.objects.create_user("mlopez", password="amber kettle violin 42").groups.add(Group.objects.get(name="curator"))
    context, page, violations = signed_in(
        browser, f"{live_server.url}{PAGE}", "mlopez", "amber kettle violin 42", viewport={"width": 1280, "height": 900}
    )
    page.wait_for_url(f"{live_server.url}{PAGE}")
    assert serious_accessibility_problems(page) == []

    # Searching puts the list in place as she types.
    page.get_by_label("Generic name, brand name, development code or class").fill("femara")
    page.get_by_role("status").filter(has_text="1 of ").wait_for()
    assert page.url.endswith("?q=femara")

    # Every field is reached with Tab, the class ticked with Space, the form sent with Enter.
    page.get_by_label("Generic name", exact=True).focus()
    page.keyboard.type("Zorvestrant")
    page.keyboard.press("Tab")
    page.keyboard.type("Femara")
    form = page.locator("#add-drug-form")
    form.get_by_label("Oral SERD or new oral estrogen receptor drug").focus()
    page.keyboard.press("Space")
    form.get_by_role("button", name="Add the drug").focus()
    page.keyboard.press("Enter")
    page.locator("#id_brands-error").filter(has_text="“Femara” already names the drug letrozole.").wait_for()
    assert page.get_by_label("Brand names (optional)").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "add-drug-submit"  # she is where she was
    assert serious_accessibility_problems(page) == []

    page.get_by_label("Brand names (optional)").fill("Zorvex")
    form.get_by_role("button", name="Add the drug").focus()
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="mlopez added the drug zorvestrant").wait_for()
    assert page.url.endswith("?q=femara")  # in place: no new page
    assert page.locator("#add-brand-form option[value=zorvestrant]").count() == 1
    assert serious_accessibility_problems(page) == []
    assert csp_violations(page, violations) == []
    assert Drug.objects.get(name="zorvestrant").brands == ["Zorvex"]
    context.close()
