"""The engine measured on real trials (python manage.py evaluate).

These floors are the issue's targets (extraction recall is held a little above its 0.85),
so what has been reached cannot slip back while the engine improves.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from screening.engine.lexicon import CATEGORIES
from screening.engine.rules import Constraint, Rule
from screening.evaluation import (
    agreed_pairs,
    batch_record,
    criteria_text,
    evaluate_extraction,
    evaluate_gold_profiles,
    evaluate_pairs,
    evaluate_trec,
    find_record,
    latest_first_look,
    stated_fact,
)
from tests.conftest import shared_path
from tests.engine_helpers import ROOT, lexicon

GOLD = ROOT / "fixtures" / "gold"


@pytest.fixture(scope="module")
def shared() -> Path:
    return shared_path("eval-source").parent


def test_the_gold_set_covers_forty_trials_and_four_hundred_criteria(shared):
    report = evaluate_extraction(sorted((GOLD / "trials").glob("NCT*.json")), shared, lexicon())
    assert report.trials >= 40 and report.criteria >= 400
    assert set(report.by_category) >= set(CATEGORIES)
    assert len(report.unmatched) < report.criteria * 0.05


def batch_trials(batch: str) -> set[str]:
    return set(json.loads((GOLD / "batches" / batch / "drawn.json").read_text())["gold_trials"])


def blind_batch_trials() -> set[str]:
    return {nct_id for drawn in (GOLD / "batches").glob("*/drawn.json") for nct_id in batch_trials(drawn.parent.name)}


# Each blind batch is held at its first look (fixtures/gold/first-look.md), less a hundredth
# for rounding: what a batch taught may raise it, but nothing may drop below what unseen
# text first showed.
BLIND_BATCH_FLOORS = {
    "2026-12-04": (0.82, 0.72),
    "2026-12-05": (0.81, 0.71),
    "2026-12-05b": (0.85, 0.69),
    "2026-12-05c": (0.87, 0.72),
    "2026-12-05d": (0.83, 0.72),
    "2026-12-05e": (0.72, 0.60),
    "2026-12-05f": (0.81, 0.65),
    "2026-12-05g": (0.81, 0.59),
    "2026-12-05h": (0.88, 0.72),
}


def test_extraction_quality_does_not_slip(shared):
    every = sorted((GOLD / "trials").glob("NCT*.json"))
    tuned = [path for path in every if path.stem not in blind_batch_trials()]
    overall = evaluate_extraction(tuned, shared, lexicon()).overall
    assert overall.precision >= 0.95 and overall.recall >= 0.88
    assert set(BLIND_BATCH_FLOORS) == {path.name for path in (GOLD / "batches").iterdir() if batch_trials(path.name)}
    for batch, (precision, recall) in BLIND_BATCH_FLOORS.items():
        labelled = [path for path in every if path.stem in batch_trials(batch)]
        overall = evaluate_extraction(labelled, shared, lexicon()).overall
        assert overall.precision >= precision and overall.recall >= recall, batch


def test_trials_judged_eligible_are_rarely_marked_not_a_fit(shared):
    gold = evaluate_gold_profiles(sorted(GOLD.glob("profiles*.json")), shared, lexicon())
    trec = evaluate_trec(shared, ROOT / "fixtures" / "eval" / "trec2021_profiles.json", lexicon())
    assert gold.eligible >= 60 and gold.eligible_hidden_share <= 0.02
    assert trec.eligible >= 25 and trec.eligible_hidden_share <= 0.02


def test_trials_judged_excluded_are_mostly_marked_not_a_fit(shared):
    gold = evaluate_gold_profiles(sorted(GOLD.glob("profiles*.json")), shared, lexicon())
    trec = evaluate_trec(shared, ROOT / "fixtures" / "eval" / "trec2021_profiles.json", lexicon())
    # Readings of treatment history are never firm (firmness.therapy_history_doubt): 0.89 and 0.62
    # before, the exclusions they caught are now questions for her oncologist.
    assert gold.excluded_caught_share >= 0.74
    assert trec.excluded_caught_share >= 0.55


@pytest.mark.django_db
def test_the_evaluate_command_prints_every_category_and_both_judgement_sets(shared):
    out = io.StringIO()
    call_command("evaluate", "--shared", str(shared), stdout=out)
    text = out.getvalue()
    for category in CATEGORIES:
        assert f"  {category}" in text
    assert "Screening, TREC 2021 breast topics" in text and "Screening, gold profiles" in text


def test_a_negated_count_of_lines_is_compared_as_the_count_it_allows():
    at_least_four = Constraint("prior_lines", ">=", 4, scope="total")
    assert stated_fact(Rule("inclusion", "not more than 3 lines", (at_least_four,), negated=True), at_least_four) == {
        "concept": "prior_lines",
        "op": "<=",
        "value": 3,
        "scope": "total",
    }
    assert stated_fact(Rule("inclusion", "4 or more lines", (at_least_four,)), at_least_four)["op"] == ">="


def test_a_fact_found_twice_in_one_criterion_is_counted_once(tmp_path):
    criterion = "Women must have a negative pregnancy test. Women must not be breastfeeding."
    record = {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT00000001", "briefTitle": "A trial"},
            "eligibilityModule": {"eligibilityCriteria": f"Inclusion Criteria:\n\n* {criterion}\n"},
        }
    }
    (tmp_path / "ctgov" / "converted").mkdir(parents=True)
    (tmp_path / "ctgov" / "converted" / "NCT00000001.json").write_text(json.dumps(record))
    gold = tmp_path / "gold"
    gold.mkdir()
    pregnancy = {"concept": "pregnancy", "op": "is", "value": True}
    entry = {"kind": "inclusion", "starts": criterion[:50], "constraints": [pregnancy]}
    (gold / "NCT00000001.json").write_text(json.dumps({"nct_id": "NCT00000001", "criteria": [entry]}))

    score = evaluate_extraction([gold / "NCT00000001.json"], tmp_path, lexicon()).by_category["current_health"]

    assert (score.true_positive, score.false_positive, score.false_negative) == (1, 0, 0)


def test_a_trial_only_in_trialgpts_sample_is_read_with_its_two_headings(tmp_path):
    sample = tmp_path / "eval-source" / "synthetic_gs"
    sample.mkdir(parents=True)
    entry = {
        "nct_id": "NCT00000002",
        "brief_title": "A trial for advanced breast cancer",
        "diseases_list": ["Breast Cancer"],
        "inclusion_criteria": "\n\n Age >=18 years \n\n Metastatic breast cancer \n\n",
        "exclusion_criteria": ": \n\n Pregnant or breastfeeding \n\n",
    }
    other = entry | {"nct_id": "NCT00000003", "brief_title": "Another trial naming NCT00000002"}
    (sample / "gs_trials_990.jsonl").write_text(json.dumps(other) + "\n" + json.dumps(entry) + "\n")

    study = find_record(tmp_path, "NCT00000002")

    assert study.nct_id == "NCT00000002"
    assert study.protocol_section.conditions_module.conditions == ["Breast Cancer"]
    text = study.protocol_section.eligibility_module.eligibility_criteria
    assert text.startswith("Inclusion Criteria:\n\nAge >=18 years")
    assert "Exclusion Criteria:\n\nPregnant or breastfeeding" in text
    with pytest.raises(FileNotFoundError):
        find_record(tmp_path, "NCT00000004")


def test_a_trial_only_in_nli4cts_records_is_read_as_a_breast_cancer_trial_with_its_own_text(tmp_path):
    records = tmp_path / "eval-source" / "nli4ct"
    records.mkdir(parents=True)
    text = "Inclusion Criteria:\nMetastatic breast cancer\nExclusion Criteria:\nPregnancy"
    entry = {"nct_id": "NCT00000005", "title": None, "eligibility_raw": text + "\n"}
    (records / "ctr_eligibility_intervention.jsonl").write_text(json.dumps(entry) + "\n")

    study = find_record(tmp_path, "NCT00000005")

    assert study.protocol_section.conditions_module.conditions == ["Breast Cancer"]
    assert study.protocol_section.eligibility_module.eligibility_criteria == text
    with pytest.raises(FileNotFoundError):
        find_record(tmp_path, "NCT00000006")


def test_judged_pairs_count_only_where_both_labellers_agree(tmp_path):
    first = [
        {"nct_id": "NCT1", "profile": "p1", "label": "not_excluded"},
        {"nct_id": "NCT1", "profile": "p2", "label": "not_a_fit"},
        {"nct_id": "NCT2", "profile": "p1", "label": "not_a_fit"},
    ]
    second = [
        {"nct_id": "NCT1", "profile": "p1", "label": "not_excluded"},
        {"nct_id": "NCT1", "profile": "p2", "label": "not_excluded"},
        {"nct_id": "NCT2", "profile": "p1", "label": "not_a_fit"},
    ]
    (tmp_path / "labeller-a.json").write_text(json.dumps(first))
    (tmp_path / "labeller-b.json").write_text(json.dumps(second))

    batch = agreed_pairs(tmp_path)

    assert batch.pairs == [("p1", "NCT1", "eligible"), ("p1", "NCT2", "excluded")]
    assert batch.disagreed == 1 and batch.trials == 2


def test_the_latest_first_look_is_the_last_row_of_its_table(tmp_path):
    path = tmp_path / "first-look.md"
    path.write_text(
        "# First looks\n\n| date | batch | precision |\n| --- | --- | --- |\n"
        "| 2026-11-01 | one | 0.83 |\n| 2026-12-04 | two | 0.88 |\n\nNotes.\n"
    )

    assert latest_first_look(path) == {"date": "2026-12-04", "batch": "two", "precision": "0.88"}
    assert latest_first_look(tmp_path / "missing.md") == {}


def test_blind_judged_pairs_hold_what_the_general_fixes_reached(shared):
    """Tuned figures on the 2026-12-04 pairs (first look: 0.31 hidden, 0.75 caught); the target is 0.03 hidden."""
    pairs = evaluate_pairs(GOLD / "batches" / "2026-12-04", sorted(GOLD.glob("profiles*.json")), shared, lexicon())
    assert pairs.eligible >= 80 and pairs.excluded >= 200
    assert pairs.eligible_hidden_share <= 0.05
    # Trials for another disease are ruled out from their records (0.71 before that); three
    # "ER-positive" patients are still asked, not ruled out, where a triple-negative trial counts
    # ER below 10% as negative: a hidden trial costs more than one she checks and drops. Readings
    # of treatment history are never firm since 2026-12-05 (0.78 caught before).
    assert pairs.excluded_caught_share >= 0.72


@pytest.mark.parametrize(
    ("batch", "hidden", "caught"),
    [
        # Tuned: first look 0.31 hidden, 0.85 caught; the general changes made from it reached
        # 0.05 and 0.83, and treatment history read as never firm these.
        ("2026-12-05", 0.04, 0.78),
        # Tuned: first look (taken after the changes above) 0.38 hidden, 0.82 caught; then 0.12 and 0.79.
        # Lines after a lead offering alternatives with nothing under it read as possible
        # alternatives (2026-12-06): one pair fewer hidden (0.03), 0.71 caught.
        ("2026-12-05b", 0.04, 0.70),
        # Tuned: first look (after both rounds of changes above) 0.21 hidden, 0.87 caught; then 0.11 and 0.84.
        # 0.77 caught since the lines after a childless lead are possible alternatives (2026-12-06).
        ("2026-12-05c", 0.07, 0.78),
        # Tuned: first look (after the three rounds above) 0.21 hidden, 0.81 caught; then 0.17 and 0.80.
        # 0.05 and 0.75 on 2026-12-06 (a primary brain tumour is not brain metastases; a plain line
        # naming a part opens it): four exclusions had been caught on those misreadings.
        ("2026-12-05d", 0.06, 0.74),
        # Tuned: first look 0.06 hidden, 0.63 caught; the general changes made from it (a requirement
        # of one group, one stage named, parts listed or named alone, poor performance required)
        # reached 0.01 and 0.61; HER2 overexpression written verb first (2026-12-06) 0.70.
        ("2026-12-05e", 0.02, 0.69),
        # Tuned: first look 0.13 hidden, 0.56 caught; the general changes made from it (a treatment's
        # setting, the stricter of two limits, a lower bar on the other performance scale, a heading
        # running on into its lead) reached 0.01 and 0.55; 0.59 on 2026-12-06.
        ("2026-12-05f", 0.02, 0.58),
        # Tuned: first look 0.04 hidden, 0.58 caught; the general changes made from it (a spelled-out
        # suspended hyphen, parts named in a closing bracket) reached 0.00 and 0.57; 0.61 on 2026-12-06.
        ("2026-12-05g", 0.01, 0.60),
        # Tuned: first look 0.09 hidden, 0.64 caught (a batch of 194 pairs); the general changes made
        # from it (alternatives marked under a lead, a label naming a cancer then its setting, cycles
        # are not lines, "no restriction on") reached 0.00 and 0.62.
        ("2026-12-05h", 0.01, 0.63),
        # Tuned: first look 0.32 hidden, 0.42 caught (ten old PDQ-style trials from outside
        # ../shared, each paired with all 20 profiles, no gold trials); the general changes made
        # from it (items run together in wrapped text read one by one, a plan of who receives
        # what asks nothing, a HER2 range over every score asks for none) reached 0.00 and 0.63;
        # labelled items run together and PDQ paragraphs read one by one, "Sex: Female": 0.76.
        ("2026-12-06", 0.01, 0.75),
        # First look 0.07 hidden, 0.75 caught (13 more old PDQ-style trials, each with all 20 profiles);
        # a list of what does not count as measurable requires none of its items: 0.00 and 0.75;
        # "carcinoma of the breast with metastases" read as metastatic: 0.77; examples given after the
        # part of an exclusion it is read from leave it firm: 0.78; a required place of spread
        # ("involving at least 1 bone site") read: 0.80.
        ("2026-12-06b", 0.01, 0.79),
        # First look 0.00 hidden, 0.74 caught (10 more old PDQ-style trials probed by id, all 20 profiles each).
        ("2026-12-06c", 0.01, 0.73),
        # First look 0.03 hidden (1 of 31), 0.61 caught: 4 more old PDQ-style trials probed by id (80 pairs);
        # the signals after a leading label are read too: 0.00 and 0.59 (one exclusion had been caught
        # on the misreading mended).
        ("2026-12-06d", 0.01, 0.58),
    ],
)
def test_later_blind_batches_hold_their_figures(shared, batch, hidden, caught):
    pairs = evaluate_pairs(GOLD / "batches" / batch, sorted(GOLD.glob("profiles*.json")), shared, lexicon())
    # Every agreed pair is screened, with both kinds of judgement among them.
    assert pairs.eligible + pairs.excluded == len(agreed_pairs(GOLD / "batches" / batch).pairs) >= 75
    assert pairs.eligible >= 30 and pairs.excluded >= 40
    assert pairs.eligible_hidden_share <= hidden
    assert pairs.excluded_caught_share >= caught


@pytest.mark.django_db
def test_evaluate_measures_one_blind_batch_and_prints_the_latest_first_look(shared):
    out = io.StringIO()
    call_command("evaluate", "--shared", str(shared), "--batch", "2026-12-04", stdout=out)
    text = out.getvalue()
    assert "Extraction on the gold set: 64 trials" in text
    assert "Screening, judged pairs 2026-12-04 (326 agreed over 66 trials, 4 dropped)" in text
    assert "Latest first look" in text and "eligible hidden" in text


def test_a_batch_drawn_from_outside_the_shared_data_reads_its_own_records(tmp_path):
    batch = tmp_path / "batch"
    (batch / "records").mkdir(parents=True)
    (batch / "records" / "NCT00000009.json").write_text(
        json.dumps(
            {
                "protocolSection": {
                    "identificationModule": {"nctId": "NCT00000009", "briefTitle": "Metastatic breast cancer"},
                    "eligibilityModule": {"eligibilityCriteria": "Inclusion Criteria:\n\n* HER2-positive"},
                }
            }
        )
    )
    assert criteria_text(batch_record(batch, tmp_path, "NCT00000009")) == "Inclusion Criteria:\n\n* HER2-positive"
    with pytest.raises(FileNotFoundError):
        batch_record(batch, tmp_path, "NCT00000010")
