"""The engine's vocabulary: every concept a constraint may name, as plain data.

For each concept: the ops its fact (`facts/`) evaluates and describes, the value each op
takes, the optional scope, qualifiers and `specific` flag it honours, and the profile fields
it reads. It is what the readers in `readers/` write, and what a curator may write instead:
`python manage.py concepts` prints it and curated readings are checked against it, so the
two can never disagree. A concept added to `facts.FACTS` must be added here as well (a test
compares them, and checks every automatic reading of the real records against this table).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from screening.engine.facts.stage import SITE_WORDS
from screening.engine.firmness import DOUBT_WORDS
from screening.engine.lexicon import Lexicon
from screening.engine.readers.biology import GENE_NAMES, HER2_LEVELS, UNASKED_GENES


@dataclass(frozen=True)
class Value:
    """What a value (or a scope) must be: one of a few kinds, with its choices or range."""

    kind: str  # one of KINDS
    choices: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None
    unit: str = ""
    # For "limits": each key with its range.
    limits: tuple[tuple[str, int, int], ...] = ()

    def text(self) -> str:
        """The value type in words, as `concepts` prints it."""
        quoted = ", ".join(f'"{choice}"' for choice in self.choices)
        unit = f" ({self.unit})" if self.unit else ""
        if self.kind == "integer_or_null":
            return f"a whole number from {self.low} to {self.high}{unit}, or null"
        return {
            "true": "true",
            "boolean": "true or false",
            "integer": f"a whole number from {self.low} to {self.high}{unit}",
            "one_of": f"one of {quoted}",
            "some_of": f"a list of one or more of {quoted}",
            "names": f"one or more of {quoted}, joined by commas",
            "limits": "an object with "
            + " or ".join(f'"{key}" ({low} to {high})' for key, low, high in self.limits)
            + ", or both",
            "therapies": 'a list of one or more "drug:<generic name>" or "class:<drug class>" from the lexicon',
        }[self.kind]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "text": self.text()}
        if self.choices:
            data["choices"] = list(self.choices)
        if self.low is not None:
            data["low"], data["high"] = self.low, self.high
        if self.limits:
            data["limits"] = {key: [low, high] for key, low, high in self.limits}
        return data

    def problems(self, value: Any, lexicon: Lexicon) -> list[tuple[str, str]]:
        """What is wrong with a value, as (where inside it, why): empty when it fits."""
        kind = self.kind
        if kind == "true":
            return [] if value is True else [("", f"must be true, not {_shown(value)}")]
        if kind == "boolean":
            return [] if isinstance(value, bool) else [("", f"must be true or false, not {_shown(value)}")]
        if kind in ("integer", "integer_or_null"):
            if value is None and kind == "integer_or_null":
                return []
            # JSON true is not a number, whatever Python's bool says.
            if not isinstance(value, int) or isinstance(value, bool) or not self.low <= value <= self.high:
                return [("", f"must be {self.text()}, not {_shown(value)}")]
            return []
        if kind == "one_of":
            return (
                []
                if value in self.choices and isinstance(value, str)
                else [("", f"must be {self.text()}, not {_shown(value)}")]
            )
        if kind == "names":
            parts = value.split(",") if isinstance(value, str) else None
            if not parts or any(part not in self.choices for part in parts) or len(set(parts)) != len(parts):
                return [("", f"must be {self.text()}, not {_shown(value)}")]
            return []
        if kind == "limits":
            if not isinstance(value, dict) or not value:
                return [("", f"must be {self.text()}, not {_shown(value)}")]
            ranges = {key: (low, high) for key, low, high in self.limits}
            found = []
            for key, number in value.items():
                if key not in ranges:
                    found.append((f".{key}", f"is not a scale (use {' or '.join(ranges)})"))
                elif (
                    not isinstance(number, int)
                    or isinstance(number, bool)
                    or not ranges[key][0] <= number <= ranges[key][1]
                ):
                    found.append((f".{key}", f"must be a whole number from {ranges[key][0]} to {ranges[key][1]}"))
            return found
        # "some_of" and "therapies": a list of distinct members.
        if not isinstance(value, list) or not value:
            return [("", f"must be {self.text()}, not {_shown(value)}")]
        found = []
        for index, member in enumerate(value):
            if member in value[:index]:
                found.append((f"[{index}]", f"{_shown(member)} is listed twice"))
            elif kind == "some_of" and member not in self.choices:
                found.append((f"[{index}]", f"must be one of {', '.join(self.choices)}, not {_shown(member)}"))
            elif kind == "therapies":
                problem = _therapy_problem(member, lexicon)
                if problem:
                    found.append((f"[{index}]", problem))
        return found


def _therapy_problem(member: Any, lexicon: Lexicon) -> str:
    kind, _, name = member.partition(":") if isinstance(member, str) else ("", "", "")
    if kind == "drug":
        return "" if name in lexicon.drugs else f"{name!r} is not a drug of the lexicon (its generic name, lower case)"
    if kind == "class":
        return "" if name in lexicon.classes else f"{name!r} is not a drug class of the lexicon"
    return f'must be "drug:<generic name>" or "class:<drug class>", not {_shown(member)}'


def _shown(value: Any) -> str:
    return "null" if value is None else ("true" if value is True else ("false" if value is False else repr(value)))


KINDS = ("true", "boolean", "integer", "integer_or_null", "one_of", "some_of", "names", "limits", "therapies")


@dataclass(frozen=True)
class Term:
    """One concept of the vocabulary."""

    concept: str
    category: str
    ops: dict[str, Value]
    reads: tuple[str, ...]
    scope: Value | None = None
    scope_required: bool = False
    qualifiers: tuple[str, ...] = ()
    # Honours `specific`: the criterion is narrower than the profile's yes/no question.
    specific: bool = False
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "concept": self.concept,
            "category": self.category,
            "ops": {op: value.to_dict() for op, value in self.ops.items()},
            "reads": list(self.reads),
        }
        if self.scope:
            data["scope"] = {**self.scope.to_dict(), "required": self.scope_required}
        if self.qualifiers:
            data["qualifiers"] = list(self.qualifiers)
        if self.specific:
            data["specific"] = True
        if self.notes:
            data["notes"] = list(self.notes)
        return data


TRUE = Value("true")
BOOLEAN = Value("boolean")
# Ops the age fact also evaluates ("<", ">", "==") are left out: its wording says only "at least" or "at most".
YEARS = Value("integer", low=0, high=120, unit="years")
DISEASE_STATE = ("cancer.metastatic", "cancer.stage", "cancer.unresectable_locally_advanced")
POSITIVITY = Value("one_of", ("positive", "negative"))
THERAPIES = Value("therapies")
LINES = Value("integer", low=0, high=30, unit="lines of treatment for metastatic disease")


def _yes_no(concept: str, category: str, field_name: str) -> Term:
    """A concept the questionnaire asks as yes / no / not sure (facts.yes_or_no)."""
    return Term(
        concept,
        category,
        {"is": BOOLEAN},
        (f"health.{field_name}",),
        specific=True,
        notes=('false: the criterion is about not having it ("seronegative for HIV")',),
    )


TERMS = (
    Term("age", "age_sex", {">=": YEARS, "<=": YEARS}, ("age",)),
    Term("sex", "age_sex", {"in": Value("some_of", ("female", "male"))}, ("sex",)),
    Term(
        "ecog",
        "current_health",
        {
            "within": Value("limits", limits=(("ecog", 0, 4), ("karnofsky", 0, 100))),
            "beyond": Value("limits", limits=(("ecog", 0, 4), ("karnofsky", 0, 100))),
        },
        ("health.ecog", "health.karnofsky"),
        notes=(
            'within: ECOG at most, or Karnofsky at least, the limit; beyond: worse than it ({"ecog": 1} is ECOG 2 or more)',
        ),
    ),
    Term("pregnancy", "current_health", {"is": BOOLEAN}, ("health.pregnant_or_breastfeeding",)),
    _yes_no("hospice", "current_health", "in_hospice"),
    _yes_no("neuropathy", "current_health", "neuropathy"),
    Term(
        "brain_metastases",
        "history",
        {"in": Value("some_of", ("active", "treated_stable", "leptomeningeal"))},
        ("cancer.brain_metastases",),
    ),
    Term(
        "other_malignancy",
        "history",
        {"within_years": Value("integer_or_null", low=0, high=120, unit="years")},
        ("health.other_cancer_last_5_years",),
        specific=True,
        notes=("0: another cancer active now; null: at any time",),
    ),
    _yes_no("heart_condition", "history", "heart_condition"),
    _yes_no("lung_condition", "history", "lung_condition"),
    _yes_no("hepatitis", "history", "hepatitis_b_or_c"),
    _yes_no("hiv", "history", "hiv"),
    _yes_no("autoimmune_disease", "history", "autoimmune_disease"),
    Term(
        "metastatic_disease",
        "stage_spread",
        {"in": Value("some_of", ("metastatic", "locally_advanced"))},
        DISEASE_STATE,
        notes=("locally_advanced: locally advanced and not removable by surgery",),
    ),
    Term(
        "early_stage",
        "stage_spread",
        {"is": TRUE, "in": Value("some_of", ("0", "I", "II", "III"))},
        DISEASE_STATE,
        notes=("is: early-stage cancer that has not spread to distant organs; in: of these stages",),
    ),
    Term("measurable_disease", "stage_spread", {"is": TRUE}, ("cancer.measurable_disease",)),
    Term("bone_only_disease", "stage_spread", {"is": TRUE}, ("cancer.sites",)),
    Term(
        "metastatic_site",
        "stage_spread",
        {"includes": Value("some_of", tuple(SITE_WORDS))},
        ("cancer.sites",),
        notes=("includes: the cancer has spread to at least one of these places",),
    ),
    Term("presentation", "stage_spread", {"in": Value("some_of", ("de_novo", "recurrent"))}, ("cancer.presentation",)),
    Term(
        "prior_therapy",
        "prior_therapy",
        {"received_any": THERAPIES, "received_all": THERAPIES, "not_received": THERAPIES},
        ("treatment.agents", "treatment.received"),
        qualifiers=("progressed", "metastatic_setting", "early_setting", "combination"),
        specific=True,
    ),
    Term(
        "prior_lines",
        "prior_therapy",
        {">=": LINES, "<=": LINES, "==": LINES},
        ("treatment.lines_in_metastatic_setting", "treatment.received"),
        scope=Value("one_of", ("total", "chemotherapy", "endocrine")),
        notes=('no scope counts every line ("total")',),
    ),
    Term(
        "hormone_receptor",
        "biology",
        {"is": POSITIVITY},
        ("biomarkers.er", "biomarkers.pr"),
        scope=Value("one_of", ("hr", "er", "pr")),
        notes=('no scope is "hr": ER or PR positive, or both negative',),
    ),
    Term("her2", "biology", {"in": Value("some_of", HER2_LEVELS)}, ("biomarkers.her2",)),
    Term("triple_negative", "biology", {"is": TRUE}, ("biomarkers.er", "biomarkers.pr", "biomarkers.her2")),
    Term(
        "gene_alteration",
        "biology",
        {"is": Value("one_of", ("altered", "not_altered"))},
        ("biomarkers.genes",),
        scope=Value("names", GENE_NAMES + UNASKED_GENES),
        scope_required=True,
        qualifiers=("somatic_possible",),
        notes=(f"the profile asks only of {', '.join(GENE_NAMES)}: other genes stay unknown",),
    ),
    Term("pd_l1", "biology", {"is": POSITIVITY}, ("biomarkers.pd_l1",)),
)
VOCABULARY: dict[str, Term] = {term.concept: term for term in TERMS}
# Why a reading may be tentative (an optional `doubts` list): only a firm reading rules a trial out.
DOUBTS: dict[str, str] = dict(DOUBT_WORDS)
