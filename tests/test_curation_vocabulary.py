"""The engine's vocabulary (screening/engine/vocabulary.py): one table that `python manage.py
concepts` prints and curated readings are checked against, in step with the facts and readers."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from screening.catalogue import eligibility_text
from screening.curation.reading import Catalogued, automatic_curation, check
from screening.engine.facts import FACTS
from screening.engine.parallel import rules_for_many
from screening.engine.profile import Profile
from screening.engine.vocabulary import VOCABULARY
from tests.engine_helpers import lexicon
from tests.replay import nct_id


def test_the_vocabulary_has_every_concept_the_engine_evaluates_and_no_other():
    assert set(VOCABULARY) == set(FACTS)


def test_every_profile_field_a_concept_reads_is_a_field_of_the_profile():
    for term in VOCABULARY.values():
        for path in term.reads:
            model = Profile
            for name in path.split("."):
                assert name in model.model_fields, f"{term.concept} reads {path}"
                model = model.model_fields[name].annotation
                model = next((arg for arg in getattr(model, "__args__", ()) if hasattr(arg, "model_fields")), model)


def test_every_automatic_reading_of_the_real_records_fits_the_vocabulary_and_quotes_the_trial(real_records):
    """What export_curated writes for any real trial loads back: the readers write only what the table allows."""
    texts = [eligibility_text(record) for record in real_records]
    for record, text, rules in zip(real_records, texts, rules_for_many(texts, lexicon()), strict=True):
        data = automatic_curation(nct_id(record), text, rules).data()
        curation, problems = check(json.loads(json.dumps(data)), lexicon(), Catalogued(text, data["criteria"]))
        assert not problems, f"{nct_id(record)}: {problems[:3]}"
        assert curation.criteria == data["criteria"]


@pytest.mark.django_db
def test_concepts_lists_every_concept_with_its_ops_value_types_and_profile_fields():
    output = io.StringIO()
    call_command("concepts", stdout=output)
    blocks: dict[str, list[str]] = {}
    for line in output.getvalue().splitlines():
        if line and not line[0].isspace():
            current = blocks.setdefault(line.split(":")[0].split(" ")[0], [])
        elif line:
            current.append(line.split())
    assert set(FACTS) <= set(blocks)
    for key in FACTS:
        term, lines = VOCABULARY[key], blocks[key]
        assert ["reads", *(", ".join(term.reads)).split()] in lines
        for op, value in term.ops.items():
            assert ["op", op, "value:", *value.text().split()] in lines, (key, op)

    output = io.StringIO()
    call_command("concepts", "--format", "json", stdout=output)
    listed = {concept["concept"]: concept for concept in json.loads(output.getvalue())["concepts"]}
    assert set(listed) == set(FACTS)
    assert listed["ecog"]["ops"]["within"]["kind"] == "limits"
    assert listed["ecog"]["reads"] == ["health.ecog", "health.karnofsky"]
    assert listed["ecog"]["label"]  # from the lexicon, when it is loaded
