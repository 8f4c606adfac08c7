"""Matching a profile against a trial's rules: an outcome per criterion and a tier.

Three-valued throughout: a fact is True, False or None (unknown). Unknown never
becomes `not_met`; it becomes `unknown` and, where it matters, a question for the
oncologist.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from screening.engine.disease import (
    OTHER_CANCER_TYPES,
    Disease,
    early_setting,
    names_breast_cancer,
    other_disease,
    unnamed_basket,
)
from screening.engine.facts import evaluate
from screening.engine.firmness import THERAPY_CONCEPTS, TREATMENT_HISTORY
from screening.engine.lexicon import Lexicon
from screening.engine.logic import Truth, all_of, any_of
from screening.engine.profile import Profile, load_profile
from screening.engine.rules import FAMILIES, INCLUSION, Constraint, Rule

MET = "met"
NOT_MET = "not_met"
UNKNOWN = "unknown"
NOT_ASSESSED = "not_assessed"

NOT_A_FIT = "not_a_fit"
CHECK_FIRST = "check_first"
WORTH_DISCUSSING = "worth_discussing"
TIER_ORDER = {WORTH_DISCUSSING: 0, CHECK_FIRST: 1, NOT_A_FIT: 2}
# What each tier is called wherever a person reads it (pages, sheet, terminal), best first.
TIER_WORDS = {WORTH_DISCUSSING: "Worth discussing", CHECK_FIRST: "Check first", NOT_A_FIT: "Probably not a fit"}
STUDY_TEAM_CHECKS = "The study team will check this."
_UNSEEN = object()


@dataclass(slots=True)
class Outcome:
    rule: Rule
    outcome: str
    facts: list[tuple[Constraint, Truth]] = field(default_factory=list)
    # Her answers contradict a tentative reading: unknown, asked about, never a not_a_fit.
    contradicted: bool = False

    @property
    def counts_against(self) -> bool:
        """A contradiction that rules the trial out: cohort-scoped ones only close one cohort."""
        return self.outcome == NOT_MET and not self.rule.cohort


def judge(rule: Rule, profile: Profile, lexicon: Lexicon, facts_seen: dict[int, Truth] | None = None) -> Outcome:
    """The outcome of one rule. `facts_seen` memoises facts across the trials of one screening."""
    if not rule.constraints:
        return Outcome(rule, NOT_ASSESSED)
    if facts_seen is None:
        facts_seen = {}
    facts = []
    excludes = rule.excludes
    for constraint in rule.constraints:
        # Keyed by identity: stored constraints are interned, and facts_seen lives for one screening.
        key = id(constraint)
        value = facts_seen.get(key, _UNSEEN)
        if value is _UNSEEN:
            value = facts_seen[key] = evaluate(constraint, profile, lexicon)
        if value and excludes and "progressed" in constraint.qualifiers:
            # She had it; whether the cancer grew on it ("platinum-refractory disease") she was not asked.
            value = None
        facts.append((constraint, value))
    if len(facts) == 1:
        combined = facts[0][1]
    else:
        combined = any_of(v for _, v in facts) if rule.logic == "any" else all_of(v for _, v in facts)
    if combined is None:
        return Outcome(rule, UNKNOWN, facts)
    satisfied = (not combined) if excludes else combined
    if not satisfied and rule.alternative:
        return Outcome(rule, UNKNOWN, facts)
    if not satisfied and not rule.firm and not _fails_where_not_doubted(rule, facts):
        # Only a firm reading rules a trial out; a tentative contradiction is a question.
        return Outcome(rule, UNKNOWN, facts, contradicted=True)
    return Outcome(rule, MET if satisfied else NOT_MET, facts)


def _fails_where_not_doubted(rule: Rule, facts: list[tuple[Constraint, Truth]]) -> bool:
    """A requirement of several facts, doubted only for the treatment history it names, still fails
    firmly on another of its facts she does not have ("HER2-negative advanced breast cancer ...
    (patients who have received anthracyclines)" for a HER2-positive cancer)."""
    return (
        rule.doubts == (TREATMENT_HISTORY,)
        and not rule.excludes
        and not rule.alternative
        and rule.logic == "all"
        and any(value is False and c.concept not in THERAPY_CONCEPTS for c, value in facts)
    )


# Every patient a family's answers can describe: requirements of one family that none of them
# could meet together (a basket listing "triple-negative" and "HR-positive" as separate
# inclusion items) belong to different cohorts.
_EVERY_PATIENT = {
    "biology": [
        {"biomarkers": {"er": er, "pr": pr, "her2": her2}}
        for er in ("positive", "negative")
        for pr in ("positive", "negative")
        for her2 in ("positive", "low", "ultralow", "zero")
    ],
    "stage": [
        {"cancer": {"stage": stage, "metastatic": stage == "IV", "unresectable_locally_advanced": advanced}}
        for stage in ("0", "I", "II", "III", "IV")
        for advanced in (True, False)
    ],
}
_NO_LEXICON = Lexicon()  # biology and stage facts need no drug knowledge


@lru_cache(maxsize=2)
def _every_patient(family: str) -> tuple[Profile, ...]:
    return tuple(load_profile({"schema": "trialscreen/profile@1", **data}) for data in _EVERY_PATIENT[family])


def soften_conflicts(rules: list[Rule]) -> list[Rule]:
    """Requirements of one family no single patient could meet together become alternatives."""
    softened: set[int] = set()
    for family, concepts in FAMILIES.items():
        # A requirement naming the family beside other facts ("Triple negative breast cancer with
        # progression on chemotherapy") is judged on its part in the family.
        parts = {
            index: replace(rule, constraints=tuple(c for c in rule.constraints if c.concept in concepts))
            for index, rule in enumerate(rules)
            if rule.kind == INCLUSION
            and not rule.excludes
            and not rule.alternative
            and not rule.cohort
            and any(c.concept in concepts for c in rule.constraints)
            and (rule.logic == "all" or {c.concept for c in rule.constraints} <= concepts)
        }
        if len(parts) < 2:
            continue
        if not any(all(_could_meet(part, patient) for part in parts.values()) for patient in _every_patient(family)):
            softened.update(parts)
    if not softened:
        return rules
    return [replace(rule, alternative=True) if index in softened else rule for index, rule in enumerate(rules)]


def _could_meet(rule: Rule, patient: Profile) -> bool:
    """However firmly it was read, the rule's words do not contradict this patient."""
    outcome = judge(rule, patient, _NO_LEXICON)
    return outcome.outcome != NOT_MET and not outcome.contradicted


@dataclass(frozen=True, slots=True)
class Assessed:
    """A criterion matching assesses, with what stays the same for every patient worked out once."""

    index: int
    rule: Rule
    # What its verdict, reason and question depend on besides her answers: its constraints (stored
    # ones are interned, so their identities stand for them within a screening), its sense, its
    # cohort and, while its reading is tentative, the words a question quotes.
    key: tuple
    # What its reason and question depend on besides the verdict.
    wording: tuple
    # Its shortlist entry's fields before and after the outcome and reason.
    head: dict[str, Any]
    tail: dict[str, Any]


def assessed(index: int, rule: Rule) -> Assessed:
    identities = tuple(map(id, rule.constraints))
    tail: dict[str, Any] = {"cohort": rule.cohort} if rule.cohort else {}
    # How firmly the criterion was read (optional field): only a firm reading can rule a trial out.
    tail["firmness"] = "firm" if rule.firm else "tentative"
    if rule.doubts:
        tail["doubts"] = rule.doubts
    return Assessed(
        index,
        rule,
        key=(
            identities,
            rule.excludes,
            rule.logic,
            rule.alternative,
            rule.cohort,
            rule.doubts,
            rule.text if rule.doubts else "",
        ),
        wording=(identities, rule.excludes, rule.cohort),
        head={"kind": rule.kind, "text": rule.text, "concept": rule.concept},
        tail=tail,
    )


@dataclass
class TrialFacts:
    """What matching needs from a catalogue trial, as plain data."""

    nct_id: str
    title: str
    rules: list[Rule]
    sex: str = "ALL"
    minimum_age: float | None = None
    maximum_age: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # The other disease the record says the trial is for, when it is not breast cancer.
    disease: Disease | None = None
    # The record's words when its conditions or titles say it is for early breast cancer only.
    early_setting: str = ""
    # The record's conditions or titles name breast cancer (not a basket open to it): ranked higher.
    breast_named: bool = False
    # The record's words when it never says it takes breast cancer (a basket): a question, first on the card.
    basket: str = ""
    # Criteria the engine does not assess read the same for everyone: built once, shared, read-only.
    fixed_entries: dict[int, dict[str, Any]] = field(default_factory=dict)
    # The criteria list with the fixed entries in place (None where a rule is assessed).
    template: list[dict[str, Any] | None] = field(default_factory=list)
    assessed: list[Assessed] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.early_setting:
            # The setting is read from the record, firmly, and judged like a criterion saying so.
            setting = Rule(
                kind=INCLUSION,
                text=self.early_setting,
                constraints=(Constraint("early_stage", "is", True),),
                heading="From the trial record",
            )
            self.rules = [setting, *self.rules]
        self.rules = soften_conflicts(self.rules)
        for index, rule in enumerate(self.rules):
            if rule.constraints:
                self.assessed.append(assessed(index, rule))
                self.template.append(None)
                continue
            entry = {
                "kind": rule.kind,
                "text": rule.text,
                "concept": None,
                "outcome": NOT_ASSESSED,
                "reason": STUDY_TEAM_CHECKS,
            }
            if rule.cohort:
                entry["cohort"] = rule.cohort
            self.fixed_entries[index] = entry
            self.template.append(entry)


def facts_of_trial(
    nct_id: str,
    title: str,
    rules: list[Rule],
    *,
    sex: str = "ALL",
    minimum_age: float | None = None,
    maximum_age: float | None = None,
    conditions: list[str] = (),
    titles: list[str] = (),
    criteria: str = "",
    extra: dict[str, Any] | None = None,
) -> TrialFacts:
    """A trial's facts with what its record says of her disease and setting read in."""
    disease = other_disease(conditions, titles, criteria)
    # A title saying "neoadjuvant" is no verdict when a part of the trial is for metastatic
    # disease ("Part B: patients with metastatic breast cancer"): the criteria decide.
    admits_spread = any(
        rule.cohort and not rule.excludes and c.concept == "metastatic_disease" and "metastatic" in c.value
        for rule in rules
        for c in rule.constraints
    )
    return TrialFacts(
        nct_id,
        title,
        rules,
        sex,
        minimum_age,
        maximum_age,
        extra or {},
        disease=disease,
        early_setting="" if admits_spread else early_setting(conditions, titles),
        breast_named=names_breast_cancer(conditions, titles),
        basket="" if disease else unnamed_basket(conditions, titles, criteria),
    )


ADULT = 18  # trialscreen is for adults: the questionnaire asks for an age of 18 or more


def structured_outcomes(trial: TrialFacts, profile: Profile) -> list[tuple[str, str, str, Truth]]:
    """(concept, text, detail, fits?) for the record's structured fields: the disease it is for, age and sex."""
    checks = []
    if trial.disease is not None:
        # Everyone screened has breast cancer: this is the first thing the card says.
        checks.append(("disease", trial.disease.quote, trial.disease.name, False))
    elif trial.basket:
        checks.append(("disease", trial.basket, "basket", None))
    low, high = trial.minimum_age, trial.maximum_age
    if high is not None and high < ADULT:
        # trialscreen is for adults: a study that stops below 18 is for children, whatever she answered.
        checks.append(("age", f"Age {low or 0:.0f} to {high:g} years", "children", False))
    elif high is not None or (low is not None and low > ADULT):
        wording = f"Age {low:g} years or older" if high is None else f"Age {low or 0:.0f} to {high:g} years"
        fits: Truth = None
        if profile.age is not None:
            fits = (low is None or profile.age >= low) and (high is None or profile.age <= high)
        checks.append(("age", wording, "structured", fits))
    # (A lowest age of 18 or less, with no highest, is no limit for an adult: nothing to ask.)
    if trial.sex in ("FEMALE", "MALE"):
        fits = None if profile.sex is None else profile.sex == trial.sex.lower()
        checks.append(("sex", f"Sex: {trial.sex.lower()} only", "structured", fits))
    return checks


def cohorts_closed(outcomes: list[Outcome]) -> dict[str, bool]:
    """Each part of the trial named in its criteria, and whether her answers firmly contradict one
    of its criteria (which closes that part only)."""
    closed: dict[str, bool] = {}
    for outcome in outcomes:
        if outcome.rule.cohort:
            closed[outcome.rule.cohort] = closed.get(outcome.rule.cohort, False) or outcome.outcome == NOT_MET
    return closed


def every_cohort_closed(outcomes: list[Outcome]) -> bool:
    """A trial of several parts whose every part open to her her answers firmly contradict.

    A part named for another cancer ("Bladder Cancer", "NSCLC first line") is not one she can
    join; at least one part must be hers, and every one of hers closed.
    """
    closed = cohorts_closed(outcomes)
    hers = [shut for name, shut in closed.items() if not for_other_cancer(name)]
    return len(closed) >= 2 and bool(hers) and all(hers)


def for_other_cancer(cohort: str) -> bool:
    return bool(OTHER_CANCER_TYPES.search(cohort.lower())) and not names_breast_cancer([cohort], [])


def tier(outcomes: list[Outcome], structured: list[tuple[str, str, str, Truth]]) -> str:
    if (
        any(fits is False for *_, fits in structured)
        or any(outcome.counts_against for outcome in outcomes)
        or every_cohort_closed(outcomes)
    ):
        return NOT_A_FIT
    if any(fits is None for *_, fits in structured) or any(
        outcome.outcome == UNKNOWN or (outcome.outcome == NOT_MET and outcome.rule.cohort) for outcome in outcomes
    ):
        return CHECK_FIRST
    return WORTH_DISCUSSING
