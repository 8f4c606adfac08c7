"""The concept lexicon and drug catalogue, as plain data for the engine.

Curators keep them in fixtures/lexicon/*.json (Django fixtures with natural keys).
`read_fixtures` validates those files with pydantic before anything is loaded, and
`Lexicon` is what the extraction functions use.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

CATEGORIES = ("age_sex", "current_health", "history", "stage_spread", "prior_therapy", "biology")
WHO_ANSWERS = ("P", "P?", "O", "T")
KEY_PATTERN = r"^[a-z0-9]+(?:_[a-z0-9]+)*$"


@dataclass(frozen=True)
class Concept:
    key: str
    category: str
    label: str
    who_answers: str
    question: str
    phrasings: tuple[str, ...] = ()


@dataclass(frozen=True)
class DrugClass:
    key: str
    label: str
    parent: str | None
    profile_key: str
    phrasings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Drug:
    name: str
    classes: tuple[str, ...]
    brands: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()


def phrase_pattern(phrase: str) -> str:
    """A curator's phrase as a regex: case-insensitive words, flexible spaces and hyphens, `*` for a word ending."""
    parts = []
    for token in re.split(r"(\s+|-|\*)", phrase.strip()):
        if not token:
            continue
        if token.isspace() or token == "-":
            parts.append(r"[\s\-]*")
        elif token == "*":
            parts.append(r"\w*")
        else:
            parts.append(re.escape(token))
    body = "".join(parts)
    start = r"(?<![\w])" if phrase[:1].isalnum() else ""
    end = r"(?![\w])" if phrase[-1:].isalnum() else ""
    return f"{start}{body}{end}"


@dataclass
class Lexicon:
    concepts: dict[str, Concept] = field(default_factory=dict)
    classes: dict[str, DrugClass] = field(default_factory=dict)
    drugs: dict[str, Drug] = field(default_factory=dict)

    @cached_property
    def version(self) -> str:
        data = json.dumps(
            [
                sorted(map(repr, self.concepts.values())),
                sorted(map(repr, self.classes.values())),
                sorted(map(repr, self.drugs.values())),
            ]
        )
        return hashlib.sha256(data.encode()).hexdigest()[:16]

    def ancestors(self, key: str) -> list[str]:
        chain = []
        seen = set()
        while key in self.classes and key not in seen:
            seen.add(key)
            chain.append(key)
            key = self.classes[key].parent or ""
        return chain

    def descendants(self, key: str) -> frozenset[str]:
        """The class and every class under it (screening asks this for every trial, so it is kept)."""
        return self._descendants.get(key) or frozenset({key})

    @cached_property
    def _descendants(self) -> dict[str, frozenset[str]]:
        found: dict[str, frozenset[str]] = {}
        for key in self.classes:
            below = {key}
            changed = True
            while changed:
                changed = False
                for drug_class in self.classes.values():
                    if drug_class.parent in below and drug_class.key not in below:
                        below.add(drug_class.key)
                        changed = True
            found[key] = frozenset(below)
        return found

    def drug_named(self, name: str) -> Drug | None:
        return self._names.get(name.strip().lower())

    def classes_of(self, drug: Drug) -> frozenset[str]:
        known = self._classes_by_drug.get(drug.name)
        if known is not None and self.drugs.get(drug.name) is drug:
            return known
        return frozenset(ancestor for key in drug.classes for ancestor in self.ancestors(key))

    @cached_property
    def _classes_by_drug(self) -> dict[str, frozenset[str]]:
        return {
            name: frozenset(ancestor for key in drug.classes for ancestor in self.ancestors(key))
            for name, drug in self.drugs.items()
        }

    def members(self, class_key: str) -> set[str]:
        wanted = self.descendants(class_key)
        return {drug.name for drug in self.drugs.values() if set(drug.classes) & wanted}

    @cached_property
    def _names(self) -> dict[str, Drug]:
        names: dict[str, Drug] = {}
        for drug in self.drugs.values():
            for name in (drug.name, *drug.brands, *drug.codes):
                names[name.lower()] = drug
        return names

    @cached_property
    def _therapy_phrases(self) -> tuple[dict[tuple[str, ...], str], dict[str, list[tuple[tuple[str, ...], str]]]]:
        """Drug names, brands, codes and class phrases as token tuples (exact), and those ending in `*` (prefix)."""
        exact: dict[tuple[str, ...], str] = {}
        wild: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        longest: dict[str, int] = {}
        entries = [
            (name, f"drug:{drug.name}")
            for drug in self.drugs.values()
            for name in (drug.name, *drug.brands, *drug.codes)
        ]
        entries += [(phrase, f"class:{c.key}") for c in self.classes.values() for phrase in c.phrasings]
        for phrase, key in entries:
            tokens = tuple(token for token, _, _ in _tokens(phrase.replace("*", "\x00")))
            if not tokens:
                continue
            if tokens[-1].endswith("\x00"):
                stem = (*tokens[:-1], tokens[-1].rstrip("\x00"))
                wild.setdefault(stem[0][:3], []).append((stem, key))
            else:
                exact.setdefault(tokens, key)
                longest[tokens[0]] = max(longest.get(tokens[0], 0), len(tokens))
        self._longest = longest
        self._first_words = set(longest) | {stem[0] for stems in wild.values() for stem, _ in stems}
        return exact, wild

    def therapy_mentions(self, text: str) -> list[tuple[str, int, int]]:
        """(key, start, end) of each drug or class mentioned; key is "drug:<name>" or "class:<key>".

        Matching is by word tokens (case, hyphens and brackets ignored), longest phrase first.
        """
        exact, wild = self._therapy_phrases
        longest = self._longest
        if not text:
            return []
        # "HER-2" and "HER 2" are spelled "HER2" in the phrases; keep the length so offsets hold.
        text = re.sub(r"(?i)\bher[\s-]2\b", "HER2 ", text)
        tokens = []
        for token, start, end in _tokens(text):
            # "SERDs/SERMs" names two classes; "CDK4/6" and "HER2/neu" are one name.
            if "/" in token and token not in self._first_words and not re.search(r"\d", token):
                offset = start
                for part in token.split("/"):
                    if part:
                        tokens.append((part, offset, offset + len(part)))
                    offset += len(part) + 1
            else:
                tokens.append((token, start, end))
        words = [token for token, _, _ in tokens]
        found = []
        index = 0
        while index < len(tokens):
            best: tuple[int, str] | None = None
            # Only phrases that start with this word can match here.
            for size in range(min(longest.get(words[index], 0), len(tokens) - index), 0, -1):
                key = exact.get(tuple(words[index : index + size]))
                if key:
                    best = (size, key)
                    break
            for stem, key in wild.get(words[index][:3], ()):
                size = len(stem)
                if size <= len(tokens) - index and (best is None or size > best[0]):
                    window = words[index : index + size]
                    if window[:-1] == list(stem[:-1]) and window[-1].startswith(stem[-1]):
                        best = (size, key)
            if best:
                size, key = best
                found.append((key, tokens[index][1], tokens[index + size - 1][2]))
                index += size
            else:
                index += 1
        return found

    def concept_pattern(self, key: str) -> re.Pattern[str] | None:
        return self._concept_patterns.get(key)

    @cached_property
    def _concept_patterns(self) -> dict[str, re.Pattern[str]]:
        return {
            concept.key: re.compile("|".join(phrase_pattern(p) for p in concept.phrasings), re.IGNORECASE)
            for concept in self.concepts.values()
            if concept.phrasings
        }


_TOKEN = re.compile(r"[^\s\-–—(),;:\"'\[\]]+")


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [
        (match[0].lower().rstrip("."), match.start(), match.end())
        for match in _TOKEN.finditer(text)
        if match[0].rstrip(".")
    ]


# --- Fixture files -------------------------------------------------------------


class _Fields(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConceptFields(_Fields):
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    label: str = Field(min_length=1)
    who_answers: Literal[WHO_ANSWERS]  # type: ignore[valid-type]
    question: str = Field(min_length=1)
    phrasings: list[str] = []


class DrugClassFields(_Fields):
    label: str = Field(min_length=1)
    parent: list[str] | None = None
    profile_key: str = ""
    phrasings: list[str] = []


class DrugFields(_Fields):
    brands: list[str] = []
    codes: list[str] = []
    classes: list[list[str]] = Field(min_length=1)


class FixtureEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: Literal["screening.concept", "screening.drugclass", "screening.drug"]
    fields: dict

    @field_validator("fields")
    @classmethod
    def fields_are_objects(cls, value: dict) -> dict:
        return value


class LexiconFiles(BaseModel):
    concepts: dict[str, ConceptFields]
    classes: dict[str, DrugClassFields]
    drugs: dict[str, DrugFields]

    @model_validator(mode="after")
    def references_resolve(self) -> LexiconFiles:
        problems = []
        for key in [*self.concepts, *self.classes]:
            if not re.match(KEY_PATTERN, key):
                problems.append(f"key {key!r} must be lower_case_with_underscores")
        for key, drug_class in self.classes.items():
            if drug_class.parent and drug_class.parent[0] not in self.classes:
                problems.append(f"drug class {key}: parent {drug_class.parent[0]!r} is not a drug class")
        seen: dict[str, str] = {}
        for name, drug in self.drugs.items():
            if name != name.lower():
                problems.append(f"drug {name!r}: generic names are lower case")
            for ref in drug.classes:
                if ref[0] not in self.classes:
                    problems.append(f"drug {name}: class {ref[0]!r} is not a drug class")
            for alias in (name, *drug.brands, *drug.codes):
                other = seen.get(alias.lower())
                if other and other != name:
                    problems.append(f"{alias!r} names both {other} and {name}")
                seen[alias.lower()] = name
        for key, concept in self.concepts.items():
            for phrase in concept.phrasings:
                try:
                    re.compile(phrase_pattern(phrase))
                except re.error as error:
                    problems.append(f"concept {key}: phrasing {phrase!r} is not usable ({error})")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def lexicon(self) -> Lexicon:
        return Lexicon(
            concepts={
                key: Concept(key, c.category, c.label, c.who_answers, c.question, tuple(c.phrasings))
                for key, c in self.concepts.items()
            },
            classes={
                key: DrugClass(key, c.label, c.parent[0] if c.parent else None, c.profile_key, tuple(c.phrasings))
                for key, c in self.classes.items()
            },
            drugs={
                name: Drug(name, tuple(ref[0] for ref in d.classes), tuple(d.brands), tuple(d.codes))
                for name, d in self.drugs.items()
            },
        )


class LexiconError(ValueError):
    pass


NATURAL_KEY_FIELD = {"screening.concept": "key", "screening.drugclass": "key", "screening.drug": "name"}


def read_fixtures(paths: Iterable[Path]) -> LexiconFiles:
    """Validate the lexicon fixture files; LexiconError names the file and the problem."""
    concepts: dict = {}
    classes: dict = {}
    drugs: dict = {}
    targets = {"screening.concept": concepts, "screening.drugclass": classes, "screening.drug": drugs}
    for path in paths:
        try:
            entries = json.loads(path.read_text())
            if not isinstance(entries, list):
                raise LexiconError(f"{path}: a fixture file is a list of objects")
            for number, raw in enumerate(entries, 1):
                entry = FixtureEntry.model_validate(raw)
                fields = dict(entry.fields)
                key = fields.pop(NATURAL_KEY_FIELD[entry.model], None)
                if not key:
                    raise LexiconError(f"{path}: entry {number} has no {NATURAL_KEY_FIELD[entry.model]}")
                if key in targets[entry.model]:
                    raise LexiconError(f"{path}: {key!r} appears twice")
                targets[entry.model][key] = fields
        except json.JSONDecodeError as error:
            raise LexiconError(f"{path}: not valid JSON ({error})") from None
        except ValidationError as error:
            raise LexiconError(f"{path}: " + "; ".join(_plain(item) for item in error.errors())) from None
    try:
        return LexiconFiles.model_validate({"concepts": concepts, "classes": classes, "drugs": drugs})
    except ValidationError as error:
        raise LexiconError("; ".join(_plain(item) for item in error.errors())) from None


def _plain(item: dict) -> str:
    where = ".".join(str(part) for part in item["loc"])
    message = item["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message
