"""When her answers are too thin to narrow the list: which answers would narrow it most.

Computed from the shortlist itself: for each thing she was not sure of, how many trials it
keeps in "check first". The two or three that keep the most are named at the top of the
shortlist, with where to find the answer and the question to change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from screening.engine.lexicon import Lexicon
from screening.engine.match import CHECK_FIRST, NOT_A_FIT
from screening.engine.profile import Profile

# The question that asks about each concept, by step (a concept of no step is left out).
STEP_OF_CONCEPT = {
    "age": "about-you",
    "sex": "about-you",
    "metastatic_disease": "diagnosis",
    "early_stage": "diagnosis",
    "presentation": "diagnosis",
    "measurable_disease": "spread",
    "bone_only_disease": "spread",
    "metastatic_site": "spread",
    "brain_metastases": "spread",
    "hormone_receptor": "biology",
    "her2": "biology",
    "triple_negative": "biology",
    "gene_alteration": "biology",
    "pd_l1": "biology",
    "prior_therapy": "treatments",
    "prior_lines": "treatments",
}
# Where a person finds the answer; anything else is hers to say or her oncologist's.
WHERE = {
    "hormone_receptor": "on your pathology report",
    "her2": "on your pathology report",
    "triple_negative": "on your pathology report (ER, PR and HER2)",
    "pd_l1": "on your pathology report",
    "gene_alteration": "on a genomic (biomarker) test report, if you have had one",
    "measurable_disease": "on your latest scan report, or ask your oncologist",
    "brain_metastases": "on your scan reports, or ask your oncologist",
    "metastatic_site": "on your scan reports, or ask your oncologist",
    "prior_therapy": "in your treatment records, or ask your oncologist",
    "prior_lines": "in your treatment records, or ask your oncologist",
    "metastatic_disease": "ask your oncologist",
    "early_stage": "ask your oncologist",
    "presentation": "ask your oncologist",
}
# Whether she left the question about each concept unanswered ("Not sure"): only those can narrow
# the list; a trial waiting on a medicine she was never asked about is for her oncologist.
UNANSWERED: dict[str, Callable[[Profile], bool]] = {
    "age": lambda p: p.age is None,
    "sex": lambda p: p.sex is None,
    "metastatic_disease": lambda p: p.cancer.stage is None and p.cancer.metastatic is None,
    "early_stage": lambda p: p.cancer.stage is None and p.cancer.metastatic is None,
    "presentation": lambda p: p.cancer.presentation is None,
    "measurable_disease": lambda p: p.cancer.measurable_disease is None,
    "bone_only_disease": lambda p: p.cancer.sites is None,
    "metastatic_site": lambda p: not p.cancer.sites,
    "brain_metastases": lambda p: p.cancer.brain_metastases is None,
    "hormone_receptor": lambda p: p.biomarkers.er is None or p.biomarkers.pr is None,
    "her2": lambda p: p.biomarkers.her2 is None,
    "triple_negative": lambda p: None in (p.biomarkers.er, p.biomarkers.pr, p.biomarkers.her2),
    "gene_alteration": lambda p: not any(p.biomarkers.genes.values()),
    "pd_l1": lambda p: p.biomarkers.pd_l1 is None,
    "prior_therapy": lambda p: not p.treatment.agents and not any(v is not None for v in p.treatment.received.values()),
    "prior_lines": lambda p: p.treatment.lines_in_metastatic_setting.total is None,
}
# Too thin: the answer that would narrow most keeps at least this share of her possible trials unsure.
THIN_SHARE = 0.4
THIN_MINIMUM = 10


@dataclass(frozen=True)
class Narrowing:
    concept: str
    label: str  # "HER2 status"
    where: str
    step: str
    trials: int  # how many "check first" trials wait on it


def answers_that_narrow(
    results: list[dict[str, Any]], profile: Profile, lexicon: Lexicon, limit: int = 3
) -> list[Narrowing]:
    """The answers that would narrow her list most, when her answers are too thin to narrow it; else none.

    `results` are her shortlist in brief: each with its tier and what it is `unsure` of (the
    concepts of criteria still unknown, not tentative readings).
    """
    unanswered = {concept for concept, unsure in UNANSWERED.items() if unsure(profile)}
    possible = [result for result in results if result["tier"] != NOT_A_FIT]
    waiting = Counter(
        concept
        for result in possible
        if result["tier"] == CHECK_FIRST
        for concept in unanswered.intersection(result["unsure"])
    )
    if not waiting:
        return []
    most = waiting.most_common(1)[0][1]
    if most < THIN_MINIMUM or most < THIN_SHARE * len(possible):
        return []
    return [
        Narrowing(
            concept,
            lexicon.concepts[concept].label if concept in lexicon.concepts else concept.replace("_", " "),
            WHERE.get(concept, "you can answer this yourself, or ask your oncologist"),
            STEP_OF_CONCEPT[concept],
            count,
        )
        for concept, count in waiting.most_common(limit)
    ]
