"""Tumour biology: hormone receptors, HER2, triple-negative cancer, gene alterations, PD-L1."""

from __future__ import annotations

from screening.engine.facts import register
from screening.engine.lexicon import Lexicon
from screening.engine.logic import Truth, all_of, any_of, negate
from screening.engine.profile import Profile
from screening.engine.rules import Constraint

HER2_WORDS = {
    ("positive",): "HER2-positive cancer (IHC 3+ or ISH amplified)",
    ("low",): "HER2-low cancer (IHC 1+, or 2+ without amplification)",
    ("ultralow",): "HER2-ultralow cancer",
    ("zero",): "HER2-0 cancer (IHC 0)",
    ("low", "ultralow"): "HER2-low or HER2-ultralow cancer",
    ("low", "ultralow", "zero", "negative"): "HER2-negative cancer (HER2-low and HER2-0 included)",
}
RECEPTOR_WORDS = {"hr": "hormone-receptor", "er": "estrogen-receptor (ER)", "pr": "progesterone-receptor (PR)"}


def her2_in(level: str | None, allowed: tuple[str, ...]) -> Truth:
    if level is None:
        return None
    if level in allowed:
        return True
    if level == "negative":
        # "Not positive, level unknown": fits any trial that takes every HER2-negative level.
        if {"low", "ultralow", "zero"} <= set(allowed):
            return True
        if allowed == ("positive",):
            return False
        return None
    return bool(level in ("low", "ultralow", "zero") and "negative" in allowed)


def hormone_receptor(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> Truth:
    er, pr = profile.biomarkers.er, profile.biomarkers.pr
    scope, value = constraint.scope or "hr", constraint.value
    if scope == "er":
        return None if er is None else er == value
    if scope == "pr":
        return None if pr is None else pr == value
    if value == "positive":
        return any_of([None if er is None else er == "positive", None if pr is None else pr == "positive"])
    return all_of([None if er is None else er == "negative", None if pr is None else pr == "negative"])


def triple_negative(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> Truth:
    biomarkers = profile.biomarkers
    return all_of(
        [
            None if biomarkers.er is None else biomarkers.er == "negative",
            None if biomarkers.pr is None else biomarkers.pr == "negative",
            her2_in(biomarkers.her2, ("low", "ultralow", "zero", "negative")),
        ]
    )


def gene(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> Truth:
    genes = constraint.scope.split(",")
    statuses = [profile.biomarkers.genes.get(name) for name in genes]
    altered = any_of([None if status is None else status == "altered" for status in statuses])
    if altered is False and "somatic_possible" in constraint.qualifiers:
        altered = None
    return altered if constraint.value == "altered" else negate(altered)


def describe_gene(constraint: Constraint, lexicon: Lexicon) -> str:
    genes = constraint.scope.replace(",", " or ")
    article = "an" if genes[:1] in "AEIOU" else "a"
    return f"{article} {genes} mutation" if constraint.value == "altered" else f"no {genes} mutation"


def receptors_answer(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> str:
    biomarkers = profile.biomarkers
    if biomarkers.er or biomarkers.pr:
        return f"you said ER is {biomarkers.er or 'not known'} and PR is {biomarkers.pr or 'not known'}"
    return "you were not sure of your hormone-receptor (ER/PR) status"


def triple_negative_answer(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> str:
    biomarkers = profile.biomarkers
    if biomarkers.er or biomarkers.pr or biomarkers.her2:
        return (
            f"you said ER is {biomarkers.er or 'not known'}, PR is {biomarkers.pr or 'not known'} "
            f"and HER2 is {biomarkers.her2 or 'not known'}"
        )
    return "you were not sure of your ER, PR and HER2 results"


def genes_answer(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> str:
    known = [f"{gene} {status.replace('_', ' ')}" for gene, status in profile.biomarkers.genes.items() if status]
    return "your gene results: " + ", ".join(known) if known else "you were not sure of your gene test results"


register(
    "hormone_receptor",
    evaluate=hormone_receptor,
    describe=lambda c, lexicon: f"{RECEPTOR_WORDS.get(c.scope, 'hormone-receptor')}-{c.value} cancer",
    answer=receptors_answer,
)
register(
    "triple_negative",
    evaluate=triple_negative,
    describe=lambda c, lexicon: "triple-negative breast cancer",
    answer=triple_negative_answer,
)
register(
    "her2",
    evaluate=lambda c, profile, lexicon: her2_in(profile.biomarkers.her2, tuple(c.value)),
    describe=lambda c, lexicon: HER2_WORDS.get(
        tuple(c.value), " or ".join(f"HER2-{level}" for level in c.value) + " cancer"
    ),
    answer=lambda c, profile, lexicon: (
        f"you said your cancer is HER2-{profile.biomarkers.her2}"
        if profile.biomarkers.her2
        else "you were not sure of your HER2 status"
    ),
)
register("gene_alteration", evaluate=gene, describe=describe_gene, answer=genes_answer)
register(
    "pd_l1",
    evaluate=lambda c, profile, lexicon: (
        None if profile.biomarkers.pd_l1 is None else profile.biomarkers.pd_l1 == c.value
    ),
    describe=lambda c, lexicon: f"PD-L1-{c.value} cancer",
    answer=lambda c, profile, lexicon: (
        f"you said your PD-L1 result is {profile.biomarkers.pd_l1}"
        if profile.biomarkers.pd_l1
        else "you were not sure of your PD-L1 result"
    ),
)
