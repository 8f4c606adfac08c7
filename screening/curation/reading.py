"""Curated readings as files (trialscreen/curated-criteria@1): their checks, and the rules they give.

Pure functions over plain data, no Django (`store` does the database around them). A file
is checked whole and each problem names the field at fault ("criteria[3].constraints[0].concept"),
so a curator fixes them all in one go. What a file may say comes from the engine's
vocabulary (`screening.engine.vocabulary`), the one table `python manage.py concepts` prints.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from screening.criteria import clean
from screening.engine.lexicon import Lexicon
from screening.engine.rules import Constraint, Rule
from screening.engine.vocabulary import DOUBTS, VOCABULARY

SCHEMA = "trialscreen/curated-criteria@1"
KINDS = ("inclusion", "exclusion")
RULE, STUDY_TEAM, IGNORE = "rule", "study_team", "ignore"
READINGS = (RULE, STUDY_TEAM, IGNORE)
LOGICS = ("all", "any")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
CURATOR_MAX_LENGTH = 150  # as long as a Django user name, which the workspace will record

FILE_FIELDS = ("schema", "nct_id", "criteria_sha256", "curated_by", "curated_at", "note", "criteria")
# `alternative` and `doubts` are optional fields beyond the contract's example, so that an
# automatic reading exported and loaded again screens exactly as before.
ITEM_FIELDS = ("kind", "text", "cohort", "reading", "logic", "negated", "constraints", "alternative", "doubts")
RULE_ONLY_FIELDS = ("logic", "negated", "constraints", "alternative", "doubts")
CONSTRAINT_FIELDS = ("concept", "op", "value", "scope", "specific", "qualifiers")

_SHA256 = re.compile(r"[0-9a-f]{64}")
_UTC_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
# The list marks `criteria.parse` knows at the start of a line: bullets, and item numbers or
# letters ("3.", "b)", "(iv)"). Taken off both sides before a text is looked for.
_LIST_MARK = re.compile(r"(?m)^[ \t]*(?:[*\-+•·▪◦●○]|\(?(?:\d{1,2}|[a-zA-Z]|[ivxIVX]{1,4})[.)])[ \t]+")


@dataclass(frozen=True)
class Problem:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True)
class Catalogued:
    """What the catalogue holds of the trial a file names."""

    criteria_text: str
    # The engine's automatic reading of that text, as file items (`automatic_items`).
    automatic: list[dict[str, Any]]


@dataclass(frozen=True)
class Curation:
    """A checked reading, in the canonical form it is stored and exported in."""

    nct_id: str
    criteria_sha256: str
    curated_by: str | None
    curated_at: str | None
    note: str
    criteria: list[dict[str, Any]]

    @property
    def signed(self) -> bool:
        """Made by a curator; an unsigned file is the automatic reading written by `export_curated`."""
        return self.curated_by is not None

    def data(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "nct_id": self.nct_id,
            "criteria_sha256": self.criteria_sha256,
            "curated_by": self.curated_by,
            "curated_at": self.curated_at,
            "note": self.note,
            "criteria": self.criteria,
        }

    def dumps(self) -> str:
        return dumps(self.data())

    @property
    def digest(self) -> str:
        """Equal for equal files: what tells a new version from one already stored."""
        return hashlib.sha256(self.dumps().encode()).hexdigest()


def dumps(data: dict[str, Any]) -> str:
    # Sorted keys and a 2-space indent, as the contract says, so an unchanged reading gives the same bytes;
    # the trial's words stay readable (≥, µ) rather than escaped.
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime(TIME_FORMAT)


def parse_utc(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, TIME_FORMAT).replace(tzinfo=dt.UTC)


def own_words(text: str) -> str:
    """Text as it is compared with the trial's: escapes undone, list marks off, whitespace collapsed."""
    return " ".join(_LIST_MARK.sub(" ", clean(text)).split())


# --- From stored rules to file items, and from file items to rules ----------------------


def automatic_items(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The engine's reading (stored `Rule.to_dict()`s) as file items: a curator's starting point."""
    items = []
    for rule in rules:
        if rule.get("constraints"):
            item = {
                "kind": rule["kind"],
                "text": rule["text"],
                "cohort": rule.get("cohort", ""),
                "reading": RULE,
                "logic": rule.get("logic", "all"),
                "negated": rule.get("negated", False),
                "constraints": [Constraint.from_dict(constraint).to_dict() for constraint in rule["constraints"]],
            }
            if rule.get("alternative"):
                item["alternative"] = True
            if rule.get("doubts"):
                item["doubts"] = list(rule["doubts"])
        else:
            # The engine found nothing it could read: the study team checks it.
            item = {"kind": rule["kind"], "text": rule["text"], "reading": STUDY_TEAM}
            if rule.get("cohort"):
                item["cohort"] = rule["cohort"]
        items.append(item)
    return items


def automatic_curation(nct_id: str, criteria_text: str, rules: list[dict[str, Any]]) -> Curation:
    return Curation(nct_id, text_sha256(criteria_text), None, None, "", automatic_items(rules))


def rules_of(items: list[dict[str, Any]]) -> list[Rule]:
    """The rules matching reads from checked file items; `ignore`d items are left out."""
    rules = []
    for item in items:
        if item["reading"] == RULE:
            rules.append(
                Rule(
                    kind=item["kind"],
                    text=item["text"],
                    constraints=tuple(Constraint.from_dict(constraint) for constraint in item["constraints"]),
                    logic=item["logic"],
                    negated=item["negated"],
                    cohort=item["cohort"],
                    alternative=item.get("alternative", False),
                    doubts=tuple(item.get("doubts", ())),
                )
            )
        elif item["reading"] == STUDY_TEAM:
            # No constraints: matching shows it as not assessed, "The study team will check this."
            rules.append(Rule(kind=item["kind"], text=item["text"], cohort=item.get("cohort", "")))
    return rules


# --- Checking a file --------------------------------------------------------------------


def check(data: Any, lexicon: Lexicon, trial: Catalogued | None) -> tuple[Curation | None, list[Problem]]:
    """A file's content as a Curation, or every problem found in it. `trial` is None when
    the trial it names is not in the catalogue."""
    if not isinstance(data, dict):
        return None, [Problem("file", "must be a JSON object")]
    if data.get("schema") != SCHEMA:
        # Another kind of file altogether: its other fields would only add noise.
        return None, [Problem("schema", f"must be {SCHEMA!r}, not {_shown(data.get('schema'))}")]
    problems = [Problem(name, "is not a field of a curated reading") for name in data if name not in FILE_FIELDS]
    problems += [Problem(name, "is missing") for name in FILE_FIELDS if name not in data]

    nct_id = data.get("nct_id")
    if not isinstance(nct_id, str) or not nct_id:
        problems.append(Problem("nct_id", f"must be the trial's NCT ID, not {_shown(nct_id)}"))
    elif trial is None:
        problems.append(Problem("nct_id", f"{nct_id} is not in the catalogue"))

    digest = data.get("criteria_sha256")
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        problems.append(Problem("criteria_sha256", "must be a SHA-256 in hex (64 digits 0-9 and a-f)"))
    elif trial is not None and digest != text_sha256(trial.criteria_text):
        problems.append(
            Problem(
                "criteria_sha256",
                f"is not the SHA-256 of the trial's criteria text as the catalogue stores it "
                f"({text_sha256(trial.criteria_text)}): the text has changed since this reading was made; "
                "export the trial again and redo the reading against the new text",
            )
        )

    curated_by, curated_at = data.get("curated_by"), data.get("curated_at")
    if (curated_by is None) != (curated_at is None):
        missing = "curated_by" if curated_by is None else "curated_at"
        problems.append(Problem(missing, "curated_by and curated_at go together: both set, or both null"))
    if curated_by is not None and (
        not isinstance(curated_by, str)
        or not curated_by.strip()
        or curated_by != curated_by.strip()
        or len(curated_by) > CURATOR_MAX_LENGTH
    ):
        problems.append(
            Problem(
                "curated_by",
                f"must name the curator (at most {CURATOR_MAX_LENGTH} characters), not {_shown(curated_by)}",
            )
        )
    if curated_at is not None and not _is_utc_time(curated_at):
        problems.append(
            Problem("curated_at", f'must be a UTC time written as "2026-11-21T12:00:00Z", not {_shown(curated_at)}')
        )
    note = data.get("note", "")
    if not isinstance(note, str):
        problems.append(Problem("note", f"must be a string (it may be empty), not {_shown(note)}"))

    raw_items = data.get("criteria", [])
    items: list[dict[str, Any]] = []
    if not isinstance(raw_items, list):
        problems.append(Problem("criteria", "must be a list of criterion items"))
    else:
        words = own_words(trial.criteria_text) if trial is not None else None
        for index, raw in enumerate(raw_items):
            item, found = check_item(f"criteria[{index}]", raw, lexicon, words)
            problems += found
            if item is not None:
                items.append(item)

    if problems:
        return None, problems
    curation = Curation(nct_id, digest, curated_by, curated_at, note, items)
    if not curation.signed and trial is not None and items != trial.automatic:
        # An unsigned file can only be the automatic reading as exported; anything else is a
        # curator's work and must say whose.
        return None, [
            Problem(
                "curated_by",
                "is null, but the criteria differ from the engine's automatic reading: a curator's "
                "reading names its curator and curated_at (or, if the engine has read the text anew "
                "since the export, export the trial again)",
            )
        ]
    return curation, []


def check_item(
    where: str, raw: Any, lexicon: Lexicon, trial_words: str | None
) -> tuple[dict[str, Any] | None, list[Problem]]:
    if not isinstance(raw, dict):
        return None, [Problem(where, "must be an object")]
    problems = [
        Problem(f"{where}.{name}", "is not a field of a criterion item") for name in raw if name not in ITEM_FIELDS
    ]
    kind = raw.get("kind")
    if kind not in KINDS:
        problems.append(Problem(f"{where}.kind", f"must be inclusion or exclusion, not {_shown(kind)}"))
    text = raw.get("text")
    if not isinstance(text, str) or not own_words(text):
        problems.append(Problem(f"{where}.text", "must be the trial's own words for the item"))
    elif trial_words is not None and own_words(text) not in trial_words:
        problems.append(
            Problem(
                f"{where}.text",
                "is not in the trial's criteria text (compared with whitespace, markdown escapes and list marks "
                "set aside): quote the trial's own words",
            )
        )
    cohort = raw.get("cohort", "")
    if not isinstance(cohort, str):
        problems.append(
            Problem(f"{where}.cohort", f'must be a string ("" for every participant), not {_shown(cohort)}')
        )
    reading = raw.get("reading")
    if reading not in READINGS:
        problems.append(Problem(f"{where}.reading", f"must be rule, study_team or ignore, not {_shown(reading)}"))
        return None, problems

    if reading != RULE:
        problems += [
            Problem(f"{where}.{name}", f"only a rule reading has {name} (this one is {reading})")
            for name in RULE_ONLY_FIELDS
            if name in raw
        ]
        item = {"kind": kind, "text": text, "reading": reading}
        if cohort:
            item["cohort"] = cohort
        return (None if problems else item), problems

    logic, negated = raw.get("logic", "all"), raw.get("negated", False)
    if logic not in LOGICS:
        problems.append(Problem(f"{where}.logic", f"must be all or any, not {_shown(logic)}"))
    if not isinstance(negated, bool):
        problems.append(Problem(f"{where}.negated", f"must be true or false, not {_shown(negated)}"))
    alternative = raw.get("alternative", False)
    if not isinstance(alternative, bool):
        problems.append(Problem(f"{where}.alternative", f"must be true or false, not {_shown(alternative)}"))
    doubts = raw.get("doubts", [])
    if not isinstance(doubts, list):
        problems.append(Problem(f"{where}.doubts", "must be a list of doubts (python manage.py concepts lists them)"))
    else:
        problems += [
            Problem(
                f"{where}.doubts[{index}]", f"{_shown(doubt)} is not a doubt (python manage.py concepts lists them)"
            )
            for index, doubt in enumerate(doubts)
            if not isinstance(doubt, str) or doubt not in DOUBTS
        ]
    raw_constraints = raw.get("constraints")
    constraints = []
    if not isinstance(raw_constraints, list) or not raw_constraints:
        problems.append(
            Problem(
                f"{where}.constraints", "a rule reading needs a list of one or more constraints (or use study_team)"
            )
        )
    else:
        for index, raw_constraint in enumerate(raw_constraints):
            constraint, found = _check_constraint(f"{where}.constraints[{index}]", raw_constraint, lexicon)
            problems += found
            constraints.append(constraint)
    if problems:
        return None, problems
    item = {
        "kind": kind,
        "text": text,
        "cohort": cohort,
        "reading": RULE,
        "logic": logic,
        "negated": negated,
        "constraints": constraints,
    }
    if alternative:
        item["alternative"] = True
    if doubts:
        item["doubts"] = doubts
    return item, []


def _check_constraint(where: str, raw: Any, lexicon: Lexicon) -> tuple[dict[str, Any] | None, list[Problem]]:
    if not isinstance(raw, dict):
        return None, [Problem(where, "must be an object with concept, op and value")]
    problems = [
        Problem(f"{where}.{name}", "is not a field of a constraint") for name in raw if name not in CONSTRAINT_FIELDS
    ]
    concept = raw.get("concept")
    term = VOCABULARY.get(concept) if isinstance(concept, str) else None
    if term is None:
        problems.append(
            Problem(f"{where}.concept", f"{_shown(concept)} is not a concept (python manage.py concepts lists them)")
        )
        return None, problems
    op = raw.get("op")
    if not isinstance(op, str) or op not in term.ops:
        problems.append(
            Problem(f"{where}.op", f"{_shown(op)} is not an op of {concept} (its ops: {', '.join(term.ops)})")
        )
    elif "value" not in raw:
        problems.append(Problem(f"{where}.value", f"is missing: {concept} {op} takes {term.ops[op].text()}"))
    else:
        problems += [
            Problem(f"{where}.value{inside}", message)
            for inside, message in term.ops[op].problems(raw["value"], lexicon)
        ]
    if "scope" in raw:
        scope = raw["scope"]
        if term.scope is None:
            problems.append(Problem(f"{where}.scope", f"{concept} takes no scope"))
        else:
            problems += [Problem(f"{where}.scope", message) for _, message in term.scope.problems(scope, lexicon)]
    elif term.scope_required:
        problems.append(Problem(f"{where}.scope", f"is missing: {concept} needs {term.scope.text()}"))
    specific = raw.get("specific", False)
    if not isinstance(specific, bool):
        problems.append(Problem(f"{where}.specific", f"must be true or false, not {_shown(specific)}"))
    elif specific and not term.specific:
        problems.append(Problem(f"{where}.specific", f"{concept} has no narrower reading: leave specific out"))
    qualifiers = raw.get("qualifiers", [])
    if not isinstance(qualifiers, list):
        problems.append(Problem(f"{where}.qualifiers", "must be a list"))
    else:
        for index, qualifier in enumerate(qualifiers):
            if not isinstance(qualifier, str) or qualifier not in term.qualifiers:
                allowed = ", ".join(term.qualifiers) or "none"
                problems.append(
                    Problem(
                        f"{where}.qualifiers[{index}]",
                        f"{_shown(qualifier)} is not a qualifier of {concept} ({allowed})",
                    )
                )
            elif qualifier in qualifiers[:index]:
                problems.append(Problem(f"{where}.qualifiers[{index}]", f"{qualifier!r} is listed twice"))
    if problems:
        return None, problems
    # The engine's own form (what `Rule.to_dict` stores): defaults left out, values as written.
    return Constraint.from_dict(raw).to_dict(), []


def _is_utc_time(value: Any) -> bool:
    if not isinstance(value, str) or not _UTC_TIME.fullmatch(value):
        return False
    try:
        parse_utc(value)
    except ValueError:
        return False
    return True


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
