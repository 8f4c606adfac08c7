"""Matching a profile against a trial's rules: an outcome per criterion and a tier.

Three-valued throughout: a fact is True, False or None (unknown). Unknown never
becomes `not_met`; it becomes `unknown` and, where it matters, a question for the
oncologist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from screening.engine.lexicon import Lexicon
from screening.engine.profile import Profile, load_profile
from screening.engine.rules import INCLUSION, Constraint, Rule

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

Truth = bool | None

# ECOG grade <-> Karnofsky range, the usual correspondence; trials may state their own.
ECOG_TO_KARNOFSKY = {0: (90, 100), 1: (70, 80), 2: (50, 60), 3: (30, 40), 4: (0, 20)}


def all_of(values: Iterable[Truth]) -> Truth:
    values = list(values)
    if any(value is False for value in values):
        return False
    if all(value is True for value in values):
        return True
    return None


def any_of(values: Iterable[Truth]) -> Truth:
    values = list(values)
    if any(value is True for value in values):
        return True
    if all(value is False for value in values):
        return False
    return None


def negate(value: Truth) -> Truth:
    return None if value is None else not value


def karnofsky_to_ecog(score: int) -> int:
    for grade, (low, _high) in ECOG_TO_KARNOFSKY.items():
        if score >= low:
            return grade
    return 4


def _compare(actual: float | None, op: str, limit: float) -> Truth:
    if actual is None:
        return None
    return {
        "<=": actual <= limit,
        ">=": actual >= limit,
        "==": actual == limit,
        "<": actual < limit,
        ">": actual > limit,
    }[op]


def _flag(answer: bool | None, specific: bool) -> Truth:
    """A yes/no answer against a criterion; a narrower criterion turns "yes" into a question."""
    if answer is None:
        return None
    if answer and specific:
        return None
    return answer


def performance(profile: Profile, limits: dict[str, int]) -> Truth:
    """Is the patient's performance at least as good as the trial's limit (ECOG <= e, or Karnofsky >= k)?

    Each scale the patient gave is read against the trial's own scale where it has one, and
    through the usual correspondence otherwise; every reading must agree (so a second answer
    can only add a contradiction, never remove one).
    """
    readings: list[Truth] = []
    ecog, karnofsky = profile.health.ecog, profile.health.karnofsky
    if ecog is not None:
        if "ecog" in limits:
            readings.append(ecog <= limits["ecog"])
        else:
            # Read across scales the correspondence is approximate: a grade whose band sits just
            # below the limit (ECOG 2 is Karnofsky 50-60, or 60-70 by other tables) is a question.
            low, high = ECOG_TO_KARNOFSKY[ecog]
            limit = limits["karnofsky"]
            readings.append(True if low >= limit else (False if high + 10 < limit else None))
    if karnofsky is not None:
        if "karnofsky" in limits:
            readings.append(karnofsky >= limits["karnofsky"])
        else:
            grade = karnofsky_to_ecog(karnofsky)
            readings.append(True if grade <= limits["ecog"] else (False if grade > limits["ecog"] + 1 else None))
    return all_of(readings) if readings else None


def disease_extent(profile: Profile) -> str | None:
    metastatic = profile.cancer.is_metastatic
    if metastatic:
        return "metastatic"
    if metastatic is False:
        if profile.cancer.stage in ("0", "I", "II"):
            # The questionnaire asks the stage now: stage 0-II cancer has not grown beyond what surgery
            # removes. It decides before the "unresectable" answer so that a "Not sure" there never
            # rules out more than an answer would.
            return "early"
        if profile.cancer.unresectable_locally_advanced:
            return "locally_advanced"
        if profile.cancer.unresectable_locally_advanced is False:
            return "early"
        return "not_metastatic"
    return None


def received(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> list[Truth]:
    """For each drug or class in the constraint: did the patient receive it?"""
    agents = profile.treatment.agents
    known = {agent: lexicon.drug_named(agent) for agent in agents}
    answers: list[Truth] = []
    for key in constraint.value:
        kind, _, name = key.partition(":")
        if kind == "drug":
            drug = lexicon.drugs.get(name)
            if any(found is not None and found.name == name for found in known.values()):
                answers.append(True)
                continue
            coarse = {lexicon.classes[c].profile_key for c in drug.classes if c in lexicon.classes} if drug else set()
            coarse.discard("")
            if coarse and all(profile.treatment.received.get(k) is False for k in coarse):
                answers.append(False)
            else:
                answers.append(None)
            continue
        members = lexicon.descendants(name)
        if any(found is not None and lexicon.classes_of(found) & members for found in known.values()):
            answers.append(True)
            continue
        drug_class = lexicon.classes.get(name)
        coarse_key = drug_class.profile_key if drug_class else ""
        answer = profile.treatment.received.get(coarse_key) if coarse_key else None
        if answer is False:
            answers.append(False)
        elif answer is True and coarse_key and _is_coarse(name, coarse_key, lexicon):
            answers.append(True)
        else:
            answers.append(None)
    return answers


def _is_coarse(class_key: str, profile_key: str, lexicon: Lexicon) -> bool:
    """The class is the whole of the profile's category (so "received: yes" answers it)."""
    drug_class = lexicon.classes[class_key]
    return drug_class.parent is None or lexicon.classes.get(drug_class.parent, drug_class).profile_key != profile_key


def line_bounds(profile: Profile, scope: str) -> tuple[int, int | None]:
    """The fewest and most lines of a kind the answers allow (most is None when open-ended)."""
    counts = profile.treatment.lines_in_metastatic_setting
    received = profile.treatment.received
    chemo, endocrine, total = counts.chemotherapy, counts.endocrine, counts.total
    if chemo is None and received.get("chemotherapy") is False:
        chemo = 0
    if endocrine is None and received.get("endocrine_therapy") is False:
        endocrine = 0
    if scope == "total":
        lower = max([value for value in (total, chemo, endocrine) if value is not None], default=0)
        return lower, total
    value = chemo if scope == "chemotherapy" else endocrine
    known = [bound for bound in (value, total) if bound is not None]
    return (value or 0), (min(known) if known else None)


def compare_lines(profile: Profile, scope: str, op: str, limit: int) -> Truth:
    lower, upper = line_bounds(profile, scope)
    if op == "<=":
        return False if lower > limit else (True if upper is not None and upper <= limit else None)
    if op == ">=":
        # Contradictions first: answers that disagree with each other must not hide one.
        return False if upper is not None and upper < limit else (True if lower >= limit else None)
    if op == "==":
        if lower > limit or (upper is not None and upper < limit):
            return False
        return True if upper is not None and lower == upper == limit else None
    return None


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


def hormone_receptor(profile: Profile, scope: str, value: str) -> Truth:
    er, pr = profile.biomarkers.er, profile.biomarkers.pr
    if scope == "er":
        return None if er is None else er == value
    if scope == "pr":
        return None if pr is None else pr == value
    if value == "positive":
        return any_of([None if er is None else er == "positive", None if pr is None else pr == "positive"])
    return all_of([None if er is None else er == "negative", None if pr is None else pr == "negative"])


def gene(profile: Profile, constraint: Constraint) -> Truth:
    genes = constraint.scope.split(",")
    statuses = [profile.biomarkers.genes.get(name) for name in genes]
    altered = any_of([None if status is None else status == "altered" for status in statuses])
    if altered is False and "somatic_possible" in constraint.qualifiers:
        altered = None
    return altered if constraint.value == "altered" else negate(altered)


def evaluate(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> Truth:
    """Does the patient have the fact the constraint describes?"""
    concept, op, value = constraint.concept, constraint.op, constraint.value
    health, cancer = profile.health, profile.cancer
    if concept == "age":
        return _compare(profile.age, op, value)
    if concept == "sex":
        return None if profile.sex is None else profile.sex in value
    if concept == "ecog":
        within = performance(profile, dict(value))
        return within if op == "within" else negate(within)
    if concept == "pregnancy":
        answer = health.pregnant_or_breastfeeding
        return None if answer is None else answer == value
    if concept in (
        "hospice",
        "neuropathy",
        "heart_condition",
        "lung_condition",
        "hiv",
        "autoimmune_disease",
        "hepatitis",
    ):
        field_name = {
            "hospice": "in_hospice",
            "hepatitis": "hepatitis_b_or_c",
        }.get(concept, concept)
        answer = getattr(health, field_name)
        if value is False:
            # "Seronegative for HIV" among inclusion criteria: the fact is not having it.
            return None if answer is None else not answer
        return _flag(answer, constraint.specific)
    if concept == "other_malignancy":
        answer = health.other_cancer_last_5_years
        if answer is None:
            return None
        if answer:
            if constraint.specific or (value is not None and value < 5):
                return None
            return True
        return False if value is not None and value <= 5 else None
    if concept == "brain_metastases":
        status = cancer.brain_metastases
        if status is None and cancer.sites is not None and "brain" not in cancer.sites and cancer.sites:
            status = None
        return None if status is None else status in value
    if concept == "metastatic_disease":
        extent = disease_extent(profile)
        if extent is None:
            return None
        if extent == "not_metastatic":
            return None if "locally_advanced" in value else False
        return extent in value
    if concept == "early_stage":
        metastatic = cancer.is_metastatic
        if metastatic is False and cancer.stage in ("0", "I", "II"):
            return cancer.stage in value if op == "in" else True  # as disease_extent: the stage now decides
        if metastatic or cancer.unresectable_locally_advanced:
            return False  # cancer surgery cannot remove is not early-stage either
        if op == "in" and cancer.stage is not None and cancer.stage != "IV":
            return cancer.stage in value
        return None if metastatic is None else True
    if concept == "measurable_disease":
        return cancer.measurable_disease
    if concept == "bone_only_disease":
        sites = cancer.sites
        if not sites:
            return None
        return set(sites) == {"bone"}
    if concept == "presentation":
        return None if cancer.presentation is None else cancer.presentation in value
    if concept == "prior_therapy":
        answers = received(constraint, profile, lexicon)
        result = all_of(answers) if op == "received_all" else any_of(answers)
        settings = {"metastatic_setting", "early_setting"} & set(constraint.qualifiers)
        if result is True and len(settings) == 1:
            # We know the drug was given, not in which setting; a criterion naming both settings
            # ("in the adjuvant or metastatic setting") does not depend on it.
            result = None
        if constraint.specific and result is True:
            result = None
        return negate(result) if op == "not_received" else result
    if concept == "prior_lines":
        return compare_lines(profile, constraint.scope or "total", op, value)
    if concept == "hormone_receptor":
        return hormone_receptor(profile, constraint.scope or "hr", value)
    if concept == "triple_negative":
        biomarkers = profile.biomarkers
        return all_of(
            [
                None if biomarkers.er is None else biomarkers.er == "negative",
                None if biomarkers.pr is None else biomarkers.pr == "negative",
                her2_in(biomarkers.her2, ("low", "ultralow", "zero", "negative")),
            ]
        )
    if concept == "her2":
        return her2_in(profile.biomarkers.her2, tuple(value))
    if concept == "gene_alteration":
        return gene(profile, constraint)
    if concept == "pd_l1":
        return None if profile.biomarkers.pd_l1 is None else profile.biomarkers.pd_l1 == value
    return None


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
    if not satisfied and not rule.firm:
        # Only a firm reading rules a trial out; a tentative contradiction is a question.
        return Outcome(rule, UNKNOWN, facts, contradicted=True)
    return Outcome(rule, MET if satisfied else NOT_MET, facts)


# Requirements of one family that no single patient could meet together (a basket listing
# "triple-negative" and "HR-positive" as separate inclusion items) belong to different cohorts.
CONFLICT_FAMILIES = {
    "biology": ({"her2", "hormone_receptor", "triple_negative"}, "biomarkers"),
    "stage": ({"metastatic_disease", "early_stage"}, "cancer"),
}
_EVERY_BIOLOGY = [
    {"er": er, "pr": pr, "her2": her2}
    for er in ("positive", "negative")
    for pr in ("positive", "negative")
    for her2 in ("positive", "low", "ultralow", "zero")
]
_EVERY_STAGE = [
    {"stage": stage, "metastatic": stage == "IV", "unresectable_locally_advanced": advanced}
    for stage in ("0", "I", "II", "III", "IV")
    for advanced in (True, False)
]
_NO_LEXICON = Lexicon()  # biology and stage facts need no drug knowledge


@lru_cache(maxsize=2)
def _every_patient(family: str) -> tuple[Profile, ...]:
    section = CONFLICT_FAMILIES[family][1]
    answers = _EVERY_BIOLOGY if family == "biology" else _EVERY_STAGE
    return tuple(load_profile({"schema": "trialscreen/profile@1", section: data}) for data in answers)


def soften_conflicts(rules: list[Rule]) -> list[Rule]:
    """Requirements of one family no single patient could meet together become alternatives."""
    softened: set[int] = set()
    for family, (concepts, _) in CONFLICT_FAMILIES.items():
        indexes = [
            index
            for index, rule in enumerate(rules)
            if rule.kind == INCLUSION
            and not rule.excludes
            and not rule.alternative
            and not rule.cohort
            and rule.constraints
            and {c.concept for c in rule.constraints} <= concepts
        ]
        if len(indexes) < 2:
            continue
        if not any(all(_could_meet(rules[index], patient) for index in indexes) for patient in _every_patient(family)):
            softened.update(indexes)
    if not softened:
        return rules
    return [replace(rule, alternative=True) if index in softened else rule for index, rule in enumerate(rules)]


def _could_meet(rule: Rule, patient: Profile) -> bool:
    """However firmly it was read, the rule's words do not contradict this patient."""
    outcome = judge(rule, patient, _NO_LEXICON)
    return outcome.outcome != NOT_MET and not outcome.contradicted


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
    # Criteria the engine does not assess read the same for everyone: built once, shared, read-only.
    fixed_entries: dict[int, dict[str, Any]] = field(default_factory=dict)
    # The criteria list with the fixed entries in place (None where a rule is assessed).
    template: list[dict[str, Any] | None] = field(default_factory=list)
    assessed: list[tuple[int, Rule]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rules = soften_conflicts(self.rules)
        for index, rule in enumerate(self.rules):
            if rule.constraints:
                self.assessed.append((index, rule))
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


def structured_outcomes(trial: TrialFacts, profile: Profile) -> list[tuple[str, str, str, Truth]]:
    """(concept, text, wording, fits?) for the record's structured age and sex fields."""
    checks = []
    if trial.minimum_age is not None or trial.maximum_age is not None:
        low, high = trial.minimum_age, trial.maximum_age
        wording = f"Age {low:g} years or older" if high is None else f"Age {low or 0:g} to {high:g} years"
        fits: Truth = None
        if profile.age is not None:
            fits = (low is None or profile.age >= low) and (high is None or profile.age <= high)
        checks.append(("age", wording, "structured", fits))
    if trial.sex in ("FEMALE", "MALE"):
        fits = None if profile.sex is None else profile.sex == trial.sex.lower()
        checks.append(("sex", f"Sex: {trial.sex.lower()} only", "structured", fits))
    return checks


def tier(outcomes: list[Outcome], structured: list[tuple[str, str, str, Truth]]) -> str:
    if any(fits is False for *_, fits in structured) or any(outcome.counts_against for outcome in outcomes):
        return NOT_A_FIT
    if any(fits is None for *_, fits in structured) or any(
        outcome.outcome == UNKNOWN or (outcome.outcome == NOT_MET and outcome.rule.cohort) for outcome in outcomes
    ):
        return CHECK_FIRST
    return WORTH_DISCUSSING
