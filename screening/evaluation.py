"""Measuring the engine on real trials: extraction against the hand-labelled gold set,
and screening against expert judgements (TREC 2021 breast topics, gold profiles).

Reads the shared real data from disk; nothing here touches the database.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from screening.ctgov import Study
from screening.engine.extract import extract
from screening.engine.lexicon import Lexicon
from screening.engine.match import NOT_A_FIT, TrialFacts, facts_of_trial
from screening.engine.profile import load_profile
from screening.engine.rules import Rule
from screening.engine.shortlist import screen_trial

CATEGORY_OF = {"leptomeningeal": "history"}


@dataclass
class Score:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    @property
    def precision(self) -> float | None:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else None

    @property
    def recall(self) -> float | None:
        expected = self.true_positive + self.false_negative
        return self.true_positive / expected if expected else None


@dataclass
class ExtractionReport:
    trials: int = 0
    criteria: int = 0
    unmatched: list[str] = field(default_factory=list)
    by_category: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    mistakes: list[str] = field(default_factory=list)

    @property
    def overall(self) -> Score:
        total = Score()
        for score in self.by_category.values():
            total.true_positive += score.true_positive
            total.false_positive += score.false_positive
            total.false_negative += score.false_negative
        return total


FLAG_CONCEPTS = {
    "pregnancy",
    "hospice",
    "neuropathy",
    "heart_condition",
    "lung_condition",
    "hepatitis",
    "hiv",
    "autoimmune_disease",
}


def canonical(constraint: dict[str, Any]) -> tuple:
    """What counts as the same constraint: concept, op, value and scope (not the softeners).

    "Negative for HIV" may be written as the fact with a negated criterion or as the fact
    being false; labels compare the fact, as the gold set's README says. Likewise an
    early-stage requirement compares as such, whether or not its stages are named.
    """
    value = constraint.get("value")
    if constraint["concept"] in FLAG_CONCEPTS and value is False:
        value = True
    if constraint["concept"] == "early_stage":
        # The engine may name the stages ("stage II or III"); the gold set records the fact itself.
        return ("early_stage", "is", True, "")
    if isinstance(value, dict):
        value = tuple(sorted(value.items()))
    elif isinstance(value, list):
        value = tuple(sorted(value))
    scope = constraint.get("scope", "")
    if constraint["concept"] == "gene_alteration":
        scope = ",".join(sorted(scope.split(",")))
    return (constraint["concept"], constraint["op"], value, scope)


def stated_fact(rule: Rule, constraint: Any) -> dict[str, Any]:
    """A constraint as the fact the criterion states.

    A negated rule holding one count of lines ("must not have received more than 3 lines",
    kept as not ">= 4") states the complementary count (at most 3), which is how the gold
    set records it; the two match the same patients.
    """
    fact = constraint.to_dict()
    if not (rule.negated and len(rule.constraints) == 1 and fact["concept"] == "prior_lines"):
        return fact
    value = fact["value"]
    if fact["op"] == ">=" and value == 1:
        return fact | {"op": "==", "value": 0}
    if fact["op"] == ">=":
        return fact | {"op": "<=", "value": value - 1}
    if fact["op"] == "<=":
        return fact | {"op": ">=", "value": value + 1}
    if fact["op"] == "==" and value == 0:
        return fact | {"op": ">=", "value": 1}
    return fact


RECORD_FOLDERS = ("ctgov/converted", "ctgov/studies", "eval-source/trials-v2")

# TrialGPT's sample of ClinicalTrials.gov texts: old records whose criteria keep the
# registry's plain lines (no bullets), in their own shape; read for blind batches only.
TRIALGPT_SAMPLE = "eval-source/synthetic_gs/gs_trials_990.jsonl"

# NLI4CT's 999 breast-cancer trial records (SemEval-2024): the registry's eligibility text
# as lines, with its headings but without its comparison signs ("Age 18" for "Age >= 18");
# no title or conditions, so the source's own scope, breast cancer, stands for them.
NLI4CT_RECORDS = "eval-source/nli4ct/ctr_eligibility_intervention.jsonl"


def find_record(shared: Path, nct_id: str) -> Study:
    """A trial's record from the shared data: the first folder that has it, else TrialGPT's sample, else NLI4CT's records."""
    for folder in RECORD_FOLDERS:
        path = shared / folder / f"{nct_id}.json"
        if path.exists():
            return Study.model_validate_json(path.read_bytes())
    for source, reshape in ((TRIALGPT_SAMPLE, study_from_trialgpt), (NLI4CT_RECORDS, study_from_nli4ct)):
        entry = _jsonl_entry(shared / source, nct_id)
        if entry is not None:
            return reshape(entry)
    raise FileNotFoundError(f"No record for {nct_id} under {shared}")


def batch_record(batch_dir: Path, shared: Path, nct_id: str) -> Study:
    """A batch's trial record: its own copy when the batch was drawn from outside the shared data
    (`records/`, with the source named in its `drawn.json`), else the shared one."""
    own = batch_dir / "records" / f"{nct_id}.json"
    return Study.model_validate_json(own.read_bytes()) if own.exists() else find_record(shared, nct_id)


def _jsonl_entry(path: Path, nct_id: str) -> dict[str, Any] | None:
    if not path.exists():
        return None
    with path.open() as handle:
        for line in handle:
            if f'"{nct_id}"' in line:
                entry = json.loads(line)
                if entry.get("nct_id") == nct_id:
                    return entry
    return None


def study_from_trialgpt(entry: dict[str, Any]) -> Study:
    """TrialGPT keeps inclusion and exclusion apart (cut after the heading's words, so a ':' may
    lead); the registry's text put them under two headings."""
    criteria = (
        "Inclusion Criteria:\n\n"
        + entry.get("inclusion_criteria", "").strip().lstrip(":").strip()
        + "\n\nExclusion Criteria:\n\n"
        + entry.get("exclusion_criteria", "").strip().lstrip(":").strip()
    )
    return Study.model_validate(
        {
            "protocolSection": {
                "identificationModule": {"nctId": entry["nct_id"], "briefTitle": entry.get("brief_title") or ""},
                "conditionsModule": {"conditions": entry.get("diseases_list") or []},
                "eligibilityModule": {"eligibilityCriteria": criteria},
            }
        }
    )


def study_from_nli4ct(entry: dict[str, Any]) -> Study:
    return Study.model_validate(
        {
            "protocolSection": {
                "identificationModule": {"nctId": entry["nct_id"], "briefTitle": entry.get("title") or ""},
                "conditionsModule": {"conditions": ["Breast Cancer"]},
                "eligibilityModule": {"eligibilityCriteria": (entry.get("eligibility_raw") or "").strip()},
            }
        }
    )


def criteria_text(study: Study) -> str:
    return study.protocol_section.eligibility_module.eligibility_criteria


def gold_criteria(gold_path: Path, shared: Path, lexicon: Lexicon) -> Iterator[tuple[str, dict[str, Any], list[Rule]]]:
    """Each gold criterion of a trial with the rules the engine read from the same item (none when not found)."""
    gold = json.loads(gold_path.read_text())
    text = criteria_text(find_record(shared, gold["nct_id"]))
    by_item: dict[int, list[Rule]] = defaultdict(list)
    for rule in extract(text, lexicon):
        by_item[rule.item].append(rule)
    used: set[int] = set()
    for entry in gold["criteria"]:
        prefix = " ".join(entry["starts"].split())
        # Several criteria may open with the same words: take them in order.
        number = next(
            (
                number
                for number, item_rules in by_item.items()
                if number not in used
                and item_rules[0].kind == entry["kind"]
                and " ".join(" ".join(rule.text for rule in item_rules).split()).startswith(prefix[:40])
            ),
            None,
        )
        if number is not None:
            used.add(number)
        yield gold["nct_id"], entry, by_item[number] if number is not None else []


def evaluate_extraction(gold_paths: list[Path], shared: Path, lexicon: Lexicon) -> ExtractionReport:
    report = ExtractionReport()
    for gold_path in gold_paths:
        report.trials += 1
        for nct_id, entry, item_rules in gold_criteria(gold_path, shared, lexicon):
            report.criteria += 1
            if not item_rules:
                report.unmatched.append(f"{nct_id}: {entry['kind']} {entry['starts']!r}")
                continue
            found = [stated_fact(rule, c) for rule in item_rules for c in rule.constraints]
            # A criterion states a fact or it does not: the same fact found twice (a negative
            # pregnancy test and "not breastfeeding"; a drug excluded in the metastatic and
            # in the adjuvant setting) is one fact, as the gold set records it.
            expected = Counter(set(canonical(c) for c in entry["constraints"]))
            got = Counter(set(canonical(c) for c in found))
            for key in expected.keys() | got.keys():
                category = _category(key[0], lexicon)
                hit = min(expected[key], got[key])
                report.by_category[category].true_positive += hit
                report.by_category[category].false_negative += expected[key] - hit
                report.by_category[category].false_positive += got[key] - hit
                if expected[key] != got[key]:
                    report.mistakes.append(
                        f"{nct_id} {entry['kind']} {entry['starts']!r}: expected {expected[key]} got {got[key]} of {key}"
                    )
    return report


def _category(concept: str, lexicon: Lexicon) -> str:
    if concept in lexicon.concepts:
        return lexicon.concepts[concept].category
    return CATEGORY_OF.get(concept, "other")


@dataclass
class JudgementReport:
    name: str
    eligible: int = 0
    eligible_kept: int = 0
    excluded: int = 0
    excluded_caught: int = 0
    hidden: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def eligible_hidden_share(self) -> float | None:
        return (self.eligible - self.eligible_kept) / self.eligible if self.eligible else None

    @property
    def excluded_caught_share(self) -> float | None:
        return self.excluded_caught / self.excluded if self.excluded else None

    def add(self, judgement: str, result: dict[str, Any], label: str) -> None:
        not_a_fit = result["tier"] == NOT_A_FIT
        reason = next((c["text"][:90] for c in result["criteria"] if c["outcome"] == "not_met"), "")
        if judgement == "eligible":
            self.eligible += 1
            if not_a_fit:
                self.hidden.append(f"{label}: {reason}")
            else:
                self.eligible_kept += 1
        elif judgement == "excluded":
            self.excluded += 1
            if not_a_fit:
                self.excluded_caught += 1
            else:
                self.missed.append(label)


def trial_facts_from_record(study: Study, lexicon: Lexicon) -> TrialFacts:
    text = criteria_text(study)
    section = study.protocol_section
    eligibility = section.eligibility_module
    titles = [section.identification_module.brief_title, section.identification_module.official_title]
    return facts_of_trial(
        study.nct_id,
        section.identification_module.brief_title,
        extract(text, lexicon),
        sex=eligibility.sex or "ALL",
        minimum_age=eligibility.minimum_age_years,
        maximum_age=eligibility.maximum_age_years,
        conditions=section.conditions_module.conditions,
        titles=titles,
        criteria=text,
    )


def evaluate_trec(shared: Path, profiles_path: Path, lexicon: Lexicon) -> JudgementReport:
    """TREC 2021 qrels: 2 = eligible, 1 = excluded (0 = not relevant, ignored)."""
    report = JudgementReport("TREC 2021 breast topics")
    profiles = {entry["topic"]: load_profile(entry["profile"]) for entry in json.loads(profiles_path.read_text())}
    trials_dir = shared / "eval-source" / "trials-v2"
    with (shared / "eval-source" / "trec2021" / "qrels_breast.tsv").open() as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    for row in rows:
        judgement = {"2": "eligible", "1": "excluded"}.get(row["score"])
        path = trials_dir / f"{row['corpus-id']}.json"
        if judgement is None or row["query-id"] not in profiles or not path.exists():
            continue
        trial = trial_facts_from_record(Study.model_validate_json(path.read_bytes()), lexicon)
        result = screen_trial(trial, profiles[row["query-id"]], lexicon)
        report.add(judgement, result, f"{row['query-id']} {row['corpus-id']}")
    return report


def gold_profiles(profile_paths: list[Path]) -> list[dict[str, Any]]:
    return [entry for path in profile_paths for entry in json.loads(path.read_text())]


def evaluate_gold_profiles(profile_paths: list[Path], shared: Path, lexicon: Lexicon) -> JudgementReport:
    report = JudgementReport("gold profiles")
    trials: dict[str, TrialFacts] = {}
    for entry in gold_profiles(profile_paths):
        patient = load_profile(entry["profile"])
        for nct_id, judgement in entry["judgements"].items():
            if nct_id not in trials:
                trials[nct_id] = trial_facts_from_record(find_record(shared, nct_id), lexicon)
            report.add(judgement, screen_trial(trials[nct_id], patient, lexicon), f"{entry['id']} {nct_id}")
    return report


PAIR_JUDGEMENT = {"not_excluded": "eligible", "not_a_fit": "excluded"}


@dataclass
class AgreedPairs:
    """Judged pairs kept where two independent labellers agree; the rest are dropped."""

    pairs: list[tuple[str, str, str]]  # (profile id, NCT ID, "eligible" | "excluded")
    disagreed: int
    trials: int


def agreed_pairs(batch_dir: Path) -> AgreedPairs:
    labels: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(batch_dir.glob("labeller-*.json")):
        for entry in json.loads(path.read_text()):
            labels[(entry["profile"], entry["nct_id"])].append(entry["label"])
    agreed = [
        (profile, nct_id, PAIR_JUDGEMENT[given[0]])
        for (profile, nct_id), given in sorted(labels.items())
        if len(given) == 2 and given[0] == given[1]
    ]
    return AgreedPairs(
        agreed, sum(1 for given in labels.values() if len(set(given)) > 1), len({n for _, n, _ in agreed})
    )


def evaluate_pairs(batch_dir: Path, profile_paths: list[Path], shared: Path, lexicon: Lexicon) -> JudgementReport:
    """Blind-judged profile x trial pairs on trials outside the gold set."""
    batch = agreed_pairs(batch_dir)
    report = JudgementReport(
        f"judged pairs {batch_dir.name} ({len(batch.pairs)} agreed over {batch.trials} trials, {batch.disagreed} dropped)"
    )
    profiles = {entry["id"]: load_profile(entry["profile"]) for entry in gold_profiles(profile_paths)}
    trials: dict[str, TrialFacts] = {}
    for profile_id, nct_id, judgement in batch.pairs:
        if nct_id not in trials:
            trials[nct_id] = trial_facts_from_record(batch_record(batch_dir, shared, nct_id), lexicon)
        report.add(judgement, screen_trial(trials[nct_id], profiles[profile_id], lexicon), f"{profile_id} {nct_id}")
    return report


def latest_first_look(path: Path) -> dict[str, str]:
    """The last row of the first-look table, by column name (empty when there is none yet)."""
    if not path.exists():
        return {}
    rows = [line.strip().strip("|").split("|") for line in path.read_text().splitlines() if line.startswith("|")]
    rows = [[cell.strip() for cell in row] for row in rows if not set("".join(row)) <= set("-: ")]
    if len(rows) < 2:
        return {}
    return dict(zip(rows[0], rows[-1], strict=False))
