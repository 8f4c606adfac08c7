"""Rules and constraints: what extraction produces and matching consumes.

A criterion item becomes one Rule. Its constraints describe facts about a patient
("has active brain metastases", "ECOG 0-1"); `logic` says how they combine. For an
inclusion rule the patient should have the described facts; for an exclusion rule,
or a negated inclusion ("No prior CDK4/6 inhibitor"), the patient should not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

INCLUSION = "inclusion"
EXCLUSION = "exclusion"
# Concepts that describe one side of a patient together: a trial's requirements in one family are
# read as a group (a scope carried from line to line, requirements no one patient could meet).
FAMILIES = {
    "biology": frozenset({"her2", "hormone_receptor", "triple_negative"}),
    "stage": frozenset({"metastatic_disease", "early_stage"}),
}


@dataclass(frozen=True)
class Constraint:
    concept: str
    op: str
    value: Any = None
    scope: str = ""
    # The criterion is narrower than the profile's yes/no answer (e.g. "active hepatitis B"
    # against "have you had hepatitis B or C"): a "yes" only raises a question.
    specific: bool = False
    qualifiers: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        if self.concept == "ecog":
            value: Any = dict(self.value)
        elif isinstance(self.value, tuple):
            value = list(self.value)
        else:
            value = self.value  # 0 and False are real values and always kept
        data: dict[str, Any] = {"concept": self.concept, "op": self.op, "value": value}
        if self.scope:
            data["scope"] = self.scope
        if self.specific:
            data["specific"] = True
        if self.qualifiers:
            data["qualifiers"] = list(self.qualifiers)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Constraint:
        made = cls._build(data)
        # Equal constraints recur across trials; one shared object lets matching memoise by identity.
        return _INTERNED.setdefault(made, made)

    @classmethod
    def _build(cls, data: dict[str, Any]) -> Constraint:
        value = data.get("value")
        if isinstance(value, dict):
            value = tuple(sorted(value.items()))
        return cls(
            concept=data["concept"],
            op=data["op"],
            value=tuple(value) if isinstance(value, list) else value,
            scope=data.get("scope", ""),
            specific=data.get("specific", False),
            qualifiers=tuple(data.get("qualifiers", ())),
        )


_INTERNED: dict[Constraint, Constraint] = {}


@dataclass(frozen=True)
class Rule:
    kind: str
    text: str
    constraints: tuple[Constraint, ...] = ()
    logic: str = "all"
    negated: bool = False
    cohort: str = ""
    # One of several alternatives under a lead such as "defined as any of:"; failing it alone rules nothing out.
    alternative: bool = False
    heading: str = ""
    # Which criterion item of the trial the rule comes from (an item may hold several sentences).
    item: int = 0
    notes: tuple[str, ...] = field(default=())
    # Why the reading is tentative (firmness.doubts); a tentative reading never rules a trial out.
    doubts: tuple[str, ...] = ()
    # Where the item stands in the cleaned criteria text (criteria.clean), to show the reading in place.
    span: tuple[int, int] = (0, 0)

    @property
    def firm(self) -> bool:
        return not self.doubts

    @property
    def assessed(self) -> bool:
        return bool(self.constraints)

    @property
    def concept(self) -> str | None:
        return self.constraints[0].concept if self.constraints else None

    @property
    def excludes(self) -> bool:
        """True when having the described facts rules the patient out."""
        return (self.kind == EXCLUSION) != self.negated

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "text": self.text}
        if self.constraints:
            data["constraints"] = [constraint.to_dict() for constraint in self.constraints]
            data["logic"] = self.logic
        if self.negated:
            data["negated"] = True
        if self.cohort:
            data["cohort"] = self.cohort
        if self.alternative:
            data["alternative"] = True
        if self.item:
            data["item"] = self.item
        if self.doubts:
            data["doubts"] = list(self.doubts)
        if self.span != (0, 0):
            data["span"] = list(self.span)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rule:
        return cls(
            kind=data["kind"],
            text=data["text"],
            constraints=tuple(Constraint.from_dict(item) for item in data.get("constraints", ())),
            logic=data.get("logic", "all"),
            negated=data.get("negated", False),
            cohort=data.get("cohort", ""),
            alternative=data.get("alternative", False),
            item=data.get("item", 0),
            doubts=tuple(data.get("doubts", ())),
            span=tuple(data.get("span", (0, 0))),
        )
