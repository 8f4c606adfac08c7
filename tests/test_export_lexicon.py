"""`export_lexicon` writes the database's lexicon back to fixtures/lexicon/ in one canonical order,
so loading the shipped files and exporting them gives the same bytes, and a drug a curator added
in the workspace is a diff of one entry to review."""

from __future__ import annotations

import difflib
import io
import json

import pytest
from django.core.management import CommandError, call_command

from screening.curation.lexicon import NewDrug, add_drug
from screening.engine.extract import rules_version
from screening.knowledge import current_lexicon, fixture_text, forget_lexicon, lexicon_files
from screening.models import Concept, Drug

pytestmark = pytest.mark.django_db

FILES = ("concepts.json", "drug_classes.json", "drugs.json")


def export(out) -> str:
    stdout = io.StringIO()
    call_command("export_lexicon", out=out, stdout=stdout)
    return stdout.getvalue()


def shipped(name: str) -> bytes:
    return next(path for path in lexicon_files() if path.name == name).read_bytes()


def test_loading_the_shipped_files_and_exporting_them_gives_the_same_bytes(tmp_path):
    call_command("load_lexicon", stdout=io.StringIO())
    said = export(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(FILES)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == shipped(name), name
    forget_lexicon()
    assert said.startswith("Wrote 27 concepts, 33 drug classes and ")
    assert f"(version {rules_version(current_lexicon())})" in said


def test_the_files_keep_words_as_written_with_a_two_space_indent_and_a_final_newline(tmp_path):
    export(tmp_path)
    text = (tmp_path / "concepts.json").read_text(encoding="utf-8")
    assert "ï" in text and "\\u00ef" not in text  # "naïve", not escaped
    assert text.startswith('[\n  {\n    "model": "screening.concept",\n    "fields": {\n      "key": "age",')
    assert text.endswith("}\n]\n")


def test_a_drug_added_in_the_workspace_is_one_entry_more_among_its_class(tmp_path):
    add_drug(NewDrug.typed("zorvestrant", "Zorvex", "ZV-101", ["oral_serd"]), curator="mlopez")
    export(tmp_path)
    for name in ("concepts.json", "drug_classes.json"):
        assert (tmp_path / name).read_bytes() == shipped(name)

    entry = {
        "model": "screening.drug",
        "fields": {"name": "zorvestrant", "brands": ["Zorvex"], "codes": ["ZV-101"], "classes": [["oral_serd"]]},
    }
    before, after = shipped("drugs.json").decode(), (tmp_path / "drugs.json").read_text(encoding="utf-8")
    assert [e for e in json.loads(after) if e != entry] == json.loads(before)
    # Among the oral SERDs, by name.
    names = [e["fields"]["name"] for e in json.loads(after)]
    assert names[names.index("zorvestrant") - 1] == "vepdegestrant"
    # In a diff: the entry's lines added, nothing else.
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    changes = [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert all(line.startswith("+") for line in changes)
    assert len(changes) == len(fixture_text([entry]).splitlines()) - 2  # less its list's brackets


def test_the_exported_files_load_again_to_the_same_lexicon(tmp_path):
    add_drug(NewDrug.typed("zorvestrant", "Zorvex", "", ["oral_serd"]), curator="mlopez")
    forget_lexicon()
    version = rules_version(current_lexicon())
    export(tmp_path)
    call_command("load_lexicon", *map(str, sorted(tmp_path.glob("*.json"))), stdout=io.StringIO())
    forget_lexicon()
    assert rules_version(current_lexicon()) == version
    assert Drug.objects.get(name="zorvestrant").brands == ["Zorvex"]


def test_an_empty_lexicon_is_not_exported_over_the_files(tmp_path):
    Drug.objects.all().delete()
    Concept.objects.all().delete()
    with pytest.raises(CommandError, match="The lexicon was not exported: The lexicon in the database is empty"):
        export(tmp_path)
    assert not list(tmp_path.iterdir())


def test_a_lexicon_load_lexicon_would_refuse_is_not_exported(tmp_path):
    """Changed behind the workspace's back (the admin, a shell): the files would not load again."""
    Drug.objects.filter(name="letrozole").update(brands=["Nolvadex"])  # tamoxifen's brand
    with pytest.raises(CommandError, match="'Nolvadex' names both letrozole and tamoxifen"):
        export(tmp_path)
    assert not list(tmp_path.iterdir())
