"""The curator's forms: one criterion item's reading, its constraints, and the note a save carries.

The forms only turn what was typed into a file item; whether that item may be stored is
decided by the same check `load_curated` applies (`reading.check_item`), and each problem it
finds is put beside the field it names, so the workspace and the files can never disagree.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms

from screening.curation.reading import IGNORE, RULE, STUDY_TEAM, check_item, own_words
from screening.engine.lexicon import Lexicon
from screening.engine.vocabulary import DOUBTS, VOCABULARY, Value

NOTE_MAX_LENGTH = 2000

READING_CHOICES = [
    (RULE, "Rule: the constraints below decide"),
    (STUDY_TEAM, "The study team checks it (patients see “the study team will check this”)"),
    (IGNORE, "Not a criterion: a heading, note or definition (not shown to patients)"),
]
ALL_OPS = sorted({op for term in VOCABULARY.values() for op in term.ops})


class ItemForm(forms.Form):
    kind = forms.ChoiceField(
        label="Section",
        choices=[("inclusion", "Inclusion"), ("exclusion", "Exclusion")],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label="The trial's words for this item",
        help_text="Shorten it if you need to, keeping to words the trial's text contains.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        strip=True,
    )
    cohort = forms.CharField(
        label="Cohort, part or arm (optional)",
        help_text="Leave empty when the item applies to every participant; otherwise the trial's name for it.",
        required=False,
        max_length=300,
        strip=True,
    )
    reading = forms.ChoiceField(label="How it is read", choices=READING_CHOICES, widget=forms.RadioSelect)
    logic = forms.ChoiceField(
        label="The constraints combine as",
        choices=[("all", "All of them"), ("any", "Any one of them")],
        widget=forms.RadioSelect,
        initial="all",
        required=False,
    )
    negated = forms.BooleanField(
        label="Negated: the participant must not have what the constraints describe", required=False
    )
    doubts = forms.MultipleChoiceField(
        label="Tentative because (leave all unticked for a firm reading)",
        help_text="Only a firm reading can make a trial “not a fit”; a tentative one asks first.",
        choices=[(key, f"{key}: {words}") for key, words in DOUBTS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class ConstraintForm(forms.Form):
    concept = forms.ChoiceField(
        label="Concept",
        choices=[("", "Choose a concept")] + [(key, key) for key in VOCABULARY],
        required=False,
    )
    op = forms.ChoiceField(label="Op", choices=[("", "Choose an op")] + [(op, op) for op in ALL_OPS], required=False)
    value = forms.CharField(
        label="Value",
        help_text='For example 1, true, positive, "low, zero", drug:capecitabine, ecog=1.',
        required=False,
        max_length=1000,
    )
    scope = forms.CharField(label="Scope (optional)", required=False, max_length=200)
    qualifiers = forms.CharField(label="Qualifiers (optional, comma-separated)", required=False, max_length=200)
    specific = forms.BooleanField(label="Narrower than the question she answered", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.has_changed() or data.get("DELETE"):
            return data
        term = VOCABULARY.get(data.get("concept") or "")
        if term is None:
            self.add_error("concept", "Choose the concept this constraint is about.")
            return data
        op = data.get("op")
        if op not in term.ops:
            self.add_error("op", f"Choose one of {term.concept}'s ops: {', '.join(term.ops)}.")
            return data
        data["parsed"] = typed_value(data.get("value", ""), term.ops[op])
        return data

    @staticmethod
    def initial_for(constraint: dict[str, Any]) -> dict[str, Any]:
        return {
            "concept": constraint["concept"],
            "op": constraint["op"],
            "value": value_text(constraint.get("value")),
            "scope": constraint.get("scope", ""),
            "qualifiers": ", ".join(constraint.get("qualifiers", ())),
            "specific": constraint.get("specific", False),
        }


class BaseConstraintFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this constraint"


ConstraintFormSet = forms.formset_factory(
    ConstraintForm, formset=BaseConstraintFormSet, extra=1, can_delete=True, max_num=20, validate_max=True
)


class SaveForm(forms.Form):
    note = forms.CharField(
        label="Note for the history",
        help_text="What you changed or checked, and why: the next curator reads it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_MAX_LENGTH,
        strip=True,
        error_messages={"required": "Say in a few words what you changed or checked: it is kept with this version."},
    )


# --- From what was typed to a value of the vocabulary's type, and back -----------------------


def typed_value(text: str, value_type: Value) -> Any:
    """What the curator typed, as the value its type wants; left as typed when it cannot be read,
    so the vocabulary's own check says what is wrong with it."""
    text = text.strip()
    if text[:1] in '[{"' and text:
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    kind = value_type.kind
    words = text.lower()
    if kind in ("true", "boolean"):
        return {"true": True, "yes": True, "false": False, "no": False}.get(words, text)
    if kind in ("integer", "integer_or_null"):
        if kind == "integer_or_null" and words in ("", "null", "none", "any time", "ever"):
            return None
        return int(text) if re.fullmatch(r"-?\d+", text) else text
    if kind in ("some_of", "therapies"):
        return [part.strip() for part in text.split(",") if part.strip()]
    if kind == "names":
        return ",".join(part.strip() for part in text.split(",") if part.strip())
    if kind == "limits":
        pairs = re.findall(r"([a-z]+)\s*[=:]?\s*(\d+)", words)
        return {key: int(number) for key, number in pairs} if pairs else text
    return text


def value_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(str(member) for member in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}={number}" for key, number in value.items())
    return str(value)


# --- The item the forms describe, checked as a file's item is ---------------------------------


def initial_forms(item: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    initial = {
        "kind": item["kind"],
        "text": item["text"],
        "cohort": item.get("cohort", ""),
        "reading": item["reading"],
        "logic": item.get("logic", "all"),
        "negated": item.get("negated", False),
        "doubts": list(item.get("doubts", ())),
    }
    return initial, [ConstraintForm.initial_for(constraint) for constraint in item.get("constraints", ())]


_PROBLEM = re.compile(r"^\.constraints\[(\d+)\]\.(concept|op|value|scope|specific|qualifiers)\b")


def checked_item(
    form: ItemForm,
    constraints: forms.BaseFormSet,
    original: dict[str, Any],
    lexicon: Lexicon,
    criteria_text: str,
) -> dict[str, Any] | None:
    """The item the valid forms describe, checked as `load_curated` checks a file's item; None after
    putting each problem beside its field."""
    if not (form.is_valid() and constraints.is_valid()):
        return None
    data = form.cleaned_data
    kept = [
        constraint_form
        for constraint_form in constraints.forms
        if constraint_form.has_changed() and not constraint_form.cleaned_data.get("DELETE")
    ]
    raw: dict[str, Any] = {"kind": data["kind"], "text": data["text"], "reading": data["reading"]}
    if data["cohort"]:
        raw["cohort"] = data["cohort"]
    if data["reading"] == RULE:
        raw |= {
            "logic": data["logic"] or "all",
            "negated": data["negated"],
            "constraints": [constraint_data(constraint_form.cleaned_data) for constraint_form in kept],
        }
        if data["doubts"]:
            raw["doubts"] = data["doubts"]
        if original.get("alternative") and original.get("reading") == RULE:
            raw["alternative"] = True  # read from the item's shape by the engine; kept while it stays a rule
    item, problems = check_item("", raw, lexicon, own_words(criteria_text))
    for problem in problems:
        path = problem.field
        found = _PROBLEM.match(path)
        if found:
            kept[int(found.group(1))].add_error(found.group(2), problem.message)
        elif path == ".constraints":
            form.add_error(None, f"Constraints: {problem.message}.")
        elif path.lstrip(".") in form.fields:
            form.add_error(path.lstrip("."), problem.message)
        else:
            form.add_error(None, f"{path.lstrip('.')}: {problem.message}")
    return item


def constraint_data(data: dict[str, Any]) -> dict[str, Any]:
    constraint = {"concept": data["concept"], "op": data["op"], "value": data["parsed"]}
    if data["scope"]:
        constraint["scope"] = data["scope"].strip()
    if data["qualifiers"]:
        constraint["qualifiers"] = [part.strip() for part in data["qualifiers"].split(",") if part.strip()]
    if data["specific"]:
        constraint["specific"] = True
    return constraint
