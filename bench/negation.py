"""Negation scope: the engine's hand-written rules beside medspaCy's ConText and negspacy's NegEx.

Every gold criterion whose label states a fact, and from which the engine read one, is read
three ways, and each reading says whether the criterion states an absence ("No prior
CDK4/6 inhibitor", "seronegative for HIV", "without distant metastases"). The gold labels
are the truth. The libraries are
given the project's lexicon phrasings as their targets, so they are judged on scope, not
on vocabulary. Prints accuracy, precision and recall of "negated", and the time per
criterion.

The libraries are not project dependencies (they are compared, not used); each needs its
own environment because their spaCy pins conflict:

    python -m venv /tmp/medspacy && /tmp/medspacy/bin/pip install medspacy==1.3.1
    python -m venv /tmp/negspacy && /tmp/negspacy/bin/pip install negspacy==1.1.0
    .venv/bin/python bench/negation.py --medspacy /tmp/medspacy/bin/python --negspacy /tmp/negspacy/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TRIALSCREEN_SHARED", ROOT.parent / "shared")).resolve()


def collect() -> tuple[list[dict], float]:
    """Gold criteria with facts, each with the gold mark and the engine's reading; and the engine's seconds."""
    sys.path.insert(0, str(ROOT))
    from screening.evaluation import gold_criteria
    from tests.engine_helpers import lexicon

    blind = {
        nct_id
        for drawn in (ROOT / "fixtures" / "gold" / "batches").glob("*/drawn.json")
        for nct_id in json.loads(drawn.read_text())["gold_trials"]
    }
    items, started = [], time.perf_counter()
    for path in sorted((ROOT / "fixtures" / "gold" / "trials").glob("NCT*.json")):
        for _, entry, rules in gold_criteria(path, SHARED, lexicon()):
            read = [rule for rule in rules if rule.constraints]
            if entry["constraints"] and read:
                items.append(
                    {
                        "text": " ".join(rule.text for rule in rules),
                        "gold": absent(bool(entry.get("negated")), entry["constraints"]),
                        "engine": any(absent(rule.negated, [c.to_dict() for c in rule.constraints]) for rule in read),
                        "tentative": any(rule.doubts for rule in read),
                        "blind": path.stem in blind,
                    }
                )
    return items, time.perf_counter() - started


def absent(negated: bool, constraints: list[dict]) -> bool:
    """The criterion states an absence: negated as a whole, or a fact written as one ("seronegative
    for HIV", "chemotherapy-naive", "no prior therapy for MBC", "without distant metastases")."""
    return negated or any(
        c["value"] is False
        or c["op"] == "not_received"
        or c["concept"] == "early_stage"
        or (c["concept"] == "prior_lines" and c["op"] == "==" and c["value"] == 0)
        for c in constraints
    )


def targets() -> list[str]:
    """The lexicon's phrasings, drug names and brands: what a criterion can be about."""
    terms: set[str] = set()
    for name in ("concepts", "drug_classes"):
        for row in json.loads((ROOT / "fixtures" / "lexicon" / f"{name}.json").read_text()):
            terms.update(phrase.rstrip("*") for phrase in row["fields"].get("phrasings", []))
    for row in json.loads((ROOT / "fixtures" / "lexicon" / "drugs.json").read_text()):
        terms.update([row["fields"]["name"], *row["fields"]["brands"]])
    return sorted(term for term in terms if len(term) > 2)


# Run inside the library's own environment: reads {"texts", "terms"} on stdin, prints marks and seconds.
MEDSPACY = """
import json, sys, time
import medspacy
from medspacy.target_matcher import TargetRule
data = json.load(sys.stdin)
nlp = medspacy.load()
nlp.get_pipe("medspacy_target_matcher").add([TargetRule(term, "FACT") for term in data["terms"]])
started = time.perf_counter()
marks = [any(ent._.is_negated for ent in doc.ents) for doc in nlp.pipe(data["texts"])]
print(json.dumps({"marks": marks, "seconds": time.perf_counter() - started}))
"""
NEGSPACY = """
import json, sys, time
import spacy
from negspacy.negation import Negex
from negspacy.termsets import termset
data = json.load(sys.stdin)
nlp = spacy.blank("en")
nlp.add_pipe("sentencizer")
ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
ruler.add_patterns([{"label": "FACT", "pattern": term} for term in data["terms"]])
nlp.add_pipe("negex", config={"neg_termset": termset("en_clinical").get_patterns(), "ent_types": ["FACT"]})
started = time.perf_counter()
marks = [any(ent._.negex for ent in doc.ents) for doc in nlp.pipe(data["texts"])]
print(json.dumps({"marks": marks, "seconds": time.perf_counter() - started}))
"""


def run_library(python: str, program: str, texts: list[str], terms: list[str]) -> tuple[list[bool], float]:
    with tempfile.TemporaryFile("w+") as data:
        json.dump({"texts": texts, "terms": terms}, data)
        data.seek(0)
        out = subprocess.run([python, "-c", program], stdin=data, capture_output=True, text=True, check=True)  # noqa: S603
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["marks"], result["seconds"]


def both(items: list[dict], marks: list[bool]) -> str:
    """Scores on every gold criterion, and on the blind batches' alone (trials no rule was written against)."""
    blind = [index for index, item in enumerate(items) if item["blind"]]
    gold = [item["gold"] for item in items]
    return f"{scores(gold, marks)}  | blind batches: {scores([gold[i] for i in blind], [marks[i] for i in blind])}"


def scores(gold: list[bool], marks: list[bool]) -> str:
    hits = sum(g and m for g, m in zip(gold, marks, strict=True))
    said = sum(marks)
    truly = sum(gold)
    accuracy = sum(g == m for g, m in zip(gold, marks, strict=True)) / len(gold)
    precision = hits / said if said else 0.0
    recall = hits / truly if truly else 0.0
    return f"accuracy {accuracy:.3f}  precision {precision:.2f}  recall {recall:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--medspacy", help="a Python with medspacy installed")
    parser.add_argument("--negspacy", help="a Python with negspacy installed")
    options = parser.parse_args()
    items, engine_seconds = collect()
    gold = [item["gold"] for item in items]
    texts = [item["text"] for item in items]
    print(f"{len(items)} gold criteria stating a fact the engine read, {sum(gold)} of them state an absence")
    print(
        f"  engine (hand-written)  {both(items, [item['engine'] for item in items])}"
        f"  (whole extraction: {1000 * engine_seconds / len(items):.2f} ms per criterion)"
    )
    missed = [item for item in items if item["gold"] and not item["engine"]]
    print(
        f"  of the {len(missed)} absences the engine misses, {sum(item['tentative'] for item in missed)} are read "
        "as tentative (they cannot rule a trial out)"
    )
    terms = targets()
    for name, python, program in (
        ("medspaCy ConText", options.medspacy, MEDSPACY),
        ("negspacy NegEx", options.negspacy, NEGSPACY),
    ):
        if not python:
            print(f"  {name:<22} not run (pass --{name.split()[0].lower()} PYTHON)")
            continue
        marks, seconds = run_library(python, program, texts, terms)
        print(f"  {name:<22} {both(items, marks)}  (negation only: {1000 * seconds / len(items):.2f} ms per criterion)")


if __name__ == "__main__":
    main()
