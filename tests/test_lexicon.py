"""The concept lexicon and drug catalogue: validated fixtures, loaded with natural keys."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from screening.engine.lexicon import CATEGORIES, LexiconError, read_fixtures
from screening.knowledge import lexicon_files
from screening.models import Concept, Drug, DrugClass, Trial
from tests.engine_helpers import ROOT


def test_the_shipped_lexicon_covers_all_six_categories_and_the_drug_classes():
    lexicon = read_fixtures(lexicon_files()).lexicon()
    assert {c.category for c in lexicon.concepts.values()} == set(CATEGORIES)
    for key in (
        "aromatase_inhibitor",
        "serm",
        "serd",
        "oral_serd",
        "cdk4_6_inhibitor",
        "her2_targeted",
        "antibody_drug_conjugate",
        "pi3k_akt_mtor_inhibitor",
        "parp_inhibitor",
        "immune_checkpoint_inhibitor",
        "taxane",
        "anthracycline",
    ):
        assert key in lexicon.classes
    assert lexicon.drug_named("Enhertu").name == "trastuzumab deruxtecan"
    assert {"antibody_drug_conjugate", "her2_adc", "topoisomerase1_adc"} <= lexicon.classes_of(
        lexicon.drug_named("DS-8201a")
    )
    assert "sacituzumab govitecan" in lexicon.members("topoisomerase1_adc")


def write(tmp_path, name, entries):
    path = tmp_path / name
    path.write_text(json.dumps(entries))
    return path


def test_a_drug_in_an_unknown_class_is_refused_with_its_name(tmp_path):
    path = write(
        tmp_path,
        "drugs.json",
        [{"model": "screening.drug", "fields": {"name": "newmab", "classes": [["no_such_class"]]}}],
    )
    with pytest.raises(LexiconError, match="drug newmab: class 'no_such_class' is not a drug class"):
        read_fixtures([path])


def test_a_brand_naming_two_drugs_is_refused(tmp_path):
    classes = write(
        tmp_path, "classes.json", [{"model": "screening.drugclass", "fields": {"key": "x_class", "label": "X"}}]
    )
    drugs = write(
        tmp_path,
        "drugs.json",
        [
            {"model": "screening.drug", "fields": {"name": "one", "brands": ["Same"], "classes": [["x_class"]]}},
            {"model": "screening.drug", "fields": {"name": "two", "brands": ["same"], "classes": [["x_class"]]}},
        ],
    )
    with pytest.raises(LexiconError, match="'same' names both one and two"):
        read_fixtures([classes, drugs])


def test_an_unknown_field_is_refused(tmp_path):
    path = write(
        tmp_path,
        "concepts.json",
        [
            {
                "model": "screening.concept",
                "fields": {
                    "key": "x",
                    "category": "biology",
                    "label": "X",
                    "who_answers": "O",
                    "question": "?",
                    "colour": "red",
                },
            }
        ],
    )
    with pytest.raises(LexiconError, match="colour"):
        read_fixtures([path])


@pytest.mark.django_db
def test_loading_the_lexicon_uses_natural_keys_and_reextracts_rules_when_it_changes(tmp_path):
    call_command("load_lexicon", stdout=io.StringIO())
    assert Concept.objects.get_by_natural_key("her2").category == "biology"
    assert DrugClass.objects.get_by_natural_key("oral_serd").parent.key == "serd"
    assert set(Drug.objects.get_by_natural_key("palbociclib").classes.values_list("key", flat=True)) == {
        "cdk4_6_inhibitor"
    }
    call_command("load_demo_catalogue", stdout=io.StringIO())
    before = set(Trial.objects.values_list("rules_version", flat=True))

    # A curator adds a new oral SERD; every trial's rules are extracted again.
    changed = tmp_path / "lexicon"
    changed.mkdir()
    for path in lexicon_files():
        (changed / path.name).write_text(path.read_text())
    drugs = json.loads((changed / "drugs.json").read_text())
    drugs.append(
        {
            "model": "screening.drug",
            "fields": {"name": "testestrant", "brands": [], "codes": ["TS-1"], "classes": [["oral_serd"]]},
        }
    )
    (changed / "drugs.json").write_text(json.dumps(drugs))
    out = io.StringIO()
    call_command("load_lexicon", *map(str, sorted(changed.glob("*.json"))), stdout=out)
    assert "extracted rules again for 30 trials" in out.getvalue()
    after = set(Trial.objects.values_list("rules_version", flat=True))
    assert len(after) == 1 and after != before
    assert Drug.objects.filter(name="testestrant").exists()


@pytest.mark.django_db
def test_a_broken_lexicon_file_is_named_and_nothing_is_loaded(tmp_path):
    bad = write(
        tmp_path,
        "bad.json",
        [
            {
                "model": "screening.concept",
                "fields": {"key": "Bad Key", "category": "biology", "label": "X", "who_answers": "O", "question": "?"},
            }
        ],
    )
    before = sorted(Concept.objects.values_list("key", flat=True))
    with pytest.raises(CommandError, match="The lexicon was not loaded.*Bad Key"):
        call_command("load_lexicon", str(bad))
    assert sorted(Concept.objects.values_list("key", flat=True)) == before


def test_fixture_files_read_well_in_a_diff():
    for path in (ROOT / "fixtures" / "lexicon").glob("*.json"):
        text = path.read_text()
        assert text.endswith("\n") and "\n  {" in text, path


@pytest.mark.django_db
def test_rules_from_an_older_engine_are_extracted_again():
    from screening.engine.extract import rules_version
    from screening.knowledge import current_lexicon, reextract_rules

    call_command("load_demo_catalogue", stdout=io.StringIO())
    Trial.objects.filter(nct_id="DEMO-001").update(rules_version="older-engine", rules=[])
    assert reextract_rules(current_lexicon()) == 1
    trial = Trial.objects.get(nct_id="DEMO-001")
    assert trial.rules_version == rules_version(current_lexicon()) and trial.rules


@pytest.mark.django_db
def test_a_new_database_has_the_shipped_lexicon_and_reading_it_loads_nothing(django_assert_max_num_queries):
    from screening.knowledge import current_lexicon, forget_lexicon

    forget_lexicon()
    shipped = read_fixtures(sorted((ROOT / "fixtures" / "lexicon").glob("*.json")))
    with django_assert_max_num_queries(6):  # its revision, then concepts, classes, drugs: no fixtures are loaded
        lexicon = current_lexicon()
    assert set(lexicon.drugs) == set(shipped.drugs) and set(lexicon.classes) == set(shipped.classes)


@pytest.mark.django_db
def test_an_emptied_lexicon_is_reported_not_reloaded_behind_a_page():
    from screening.knowledge import EmptyLexicon, current_lexicon, forget_lexicon

    Concept.objects.all().delete()
    forget_lexicon()
    with pytest.raises(EmptyLexicon, match="load_lexicon"):
        current_lexicon()
    assert not Concept.objects.exists()
