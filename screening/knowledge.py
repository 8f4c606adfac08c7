"""The criteria knowledge in the database, handed to the engine as plain data.

Staff curate the lexicon in fixtures/lexicon/*.json; `load_lexicon` validates and loads
those files, and every trial's rules are extracted again when the lexicon changes.
Curators may also add drugs in their workspace; `export_lexicon` writes the database's
lexicon back to the files, in one canonical order, so such a change is a reviewed diff.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from pydantic import ValidationError

from screening.engine.extract import rules_version
from screening.engine.lexicon import CATEGORIES, Lexicon, LexiconError, LexiconFiles, _plain, read_fixtures
from screening.engine.lexicon import Concept as ConceptData
from screening.engine.lexicon import Drug as DrugData
from screening.engine.lexicon import DrugClass as DrugClassData
from screening.engine.parallel import rules_for_many
from screening.models import Concept, Drug, DrugClass, Revision, Trial

LEXICON_DIR = Path(settings.BASE_DIR) / "fixtures" / "lexicon"
LEXICON = "lexicon"  # its Revision row
_cache: dict[str, Lexicon | int] = {}


def lexicon_files(directory: Path = LEXICON_DIR) -> list[Path]:
    return sorted(directory.glob("*.json"))


def lexicon_from_database() -> Lexicon:
    return Lexicon(
        concepts={
            c.key: ConceptData(c.key, c.category, c.label, c.who_answers, c.question, tuple(c.phrasings))
            for c in Concept.objects.all()
        },
        classes={
            c.key: DrugClassData(c.key, c.label, c.parent.key if c.parent else None, c.profile_key, tuple(c.phrasings))
            for c in DrugClass.objects.select_related("parent")
        },
        drugs={
            d.name: DrugData(d.name, tuple(c.key for c in d.classes.all()), tuple(d.brands), tuple(d.codes))
            for d in Drug.objects.prefetch_related("classes")
        },
    )


class EmptyLexicon(RuntimeError):
    """The database has no lexicon: `migrate` seeds it and `load_lexicon` loads it."""


def current_lexicon() -> Lexicon:
    """The lexicon in the database. Reading only: `migrate` puts the shipped one in a new database.

    Kept between requests, and read again when its revision in the database moves, so a
    lexicon loaded by another process or host is used at the next request.
    """
    revision = Revision.objects.numbers().get(LEXICON, 0)
    if _cache.get("revision") != revision or "lexicon" not in _cache:
        if not Concept.objects.exists():
            raise EmptyLexicon("The criteria lexicon is empty: run `python manage.py load_lexicon`.")
        _cache["lexicon"], _cache["revision"] = lexicon_from_database(), revision
    return _cache["lexicon"]


def forget_lexicon() -> None:
    _cache.clear()


def load_lexicon(paths: list[Path], *, reextract: bool = True) -> tuple[Lexicon, int]:
    """Validate and load lexicon fixture files, replacing what was there. Returns the lexicon and trials re-extracted."""
    files = read_fixtures(paths)  # raises LexiconError naming the problem; nothing is loaded then
    with transaction.atomic():
        call_command("loaddata", *map(str, paths), verbosity=0)
        Drug.objects.exclude(name__in=list(files.drugs)).delete()
        DrugClass.objects.filter(parent__isnull=False).exclude(key__in=list(files.classes)).delete()
        DrugClass.objects.exclude(key__in=list(files.classes)).delete()
        Concept.objects.exclude(key__in=list(files.concepts)).delete()
        Revision.objects.bump(LEXICON)
    forget_lexicon()
    lexicon = current_lexicon()
    count = reextract_rules(lexicon) if reextract else 0
    return lexicon, count


def reextract_rules(lexicon: Lexicon, *, batch_size: int = 500) -> int:
    """Extract rules again for every trial extracted with another lexicon or engine version."""
    count = 0
    version = rules_version(lexicon)
    stale = Trial.objects.exclude(rules_version=version).only("id", "eligibility_text")
    while True:
        batch = list(stale[:batch_size])
        if not batch:
            return count
        for trial, rules in zip(batch, rules_for_many([t.eligibility_text for t in batch], lexicon), strict=True):
            trial.rules = rules
            trial.rules_version = version
        with transaction.atomic():
            Trial.objects.bulk_update(batch, ["rules", "rules_version"], batch_size=batch_size)
        count += len(batch)


# --- The lexicon as fixture files (`export_lexicon`) ------------------------------------

CONCEPTS_FILE, CLASSES_FILE, DRUGS_FILE = "concepts.json", "drug_classes.json", "drugs.json"


def lexicon_fixtures(lexicon: Lexicon) -> dict[str, list[dict[str, Any]]]:
    """The lexicon as the fixture entries `load_lexicon` reads, by file name, in one canonical order.

    Concepts by category (in the engine's order of categories), then key; drug classes as a
    tree, each followed by the classes under it, siblings by key; drugs class by class in that
    order (a drug under the first of its classes), then by name. So equal lexicons give equal
    files, and a drug added shows in a diff as one entry, among the drugs of its class.
    Lists inside an entry keep their order: a concept's phrasings are tried in it.
    """
    category_order = {category: index for index, category in enumerate(CATEGORIES)}
    concepts = sorted(lexicon.concepts.values(), key=lambda c: (category_order.get(c.category, 99), c.key))
    class_order = {key: index for index, key in enumerate(classes_in_tree_order(lexicon))}

    def class_place(key: str) -> int:
        return class_order.get(key, len(class_order))

    drugs = sorted(lexicon.drugs.values(), key=lambda d: (min(map(class_place, d.classes), default=0), d.name))
    return {
        CONCEPTS_FILE: [
            {
                "model": "screening.concept",
                "fields": {
                    "key": c.key,
                    "category": c.category,
                    "label": c.label,
                    "who_answers": c.who_answers,
                    "question": c.question,
                    "phrasings": list(c.phrasings),
                },
            }
            for c in concepts
        ],
        CLASSES_FILE: [
            {
                "model": "screening.drugclass",
                "fields": {
                    "key": c.key,
                    "label": c.label,
                    "parent": [c.parent] if c.parent else None,
                    "profile_key": c.profile_key,
                    "phrasings": list(c.phrasings),
                },
            }
            for c in (lexicon.classes[key] for key in class_order)
        ],
        DRUGS_FILE: [
            {
                "model": "screening.drug",
                "fields": {
                    "name": d.name,
                    "brands": list(d.brands),
                    "codes": list(d.codes),
                    "classes": [[key] for key in sorted(d.classes, key=class_place)],
                },
            }
            for d in drugs
        ],
    }


def classes_in_tree_order(lexicon: Lexicon) -> list[str]:
    """Drug class keys, each followed by the classes under it; siblings (and the top classes) by key."""
    children: dict[str | None, list[str]] = {}
    for key, drug_class in lexicon.classes.items():
        parent = drug_class.parent if drug_class.parent in lexicon.classes else None
        children.setdefault(parent, []).append(key)
    ordered: list[str] = []

    def visit(parent: str | None) -> None:
        for key in sorted(children.get(parent, [])):
            ordered.append(key)
            visit(key)

    visit(None)
    # Classes in a loop of parents (which nothing else refuses) cannot be reached from a top class: last, by key.
    return ordered + sorted(set(lexicon.classes) - set(ordered))


def fixture_text(entries: list[dict[str, Any]]) -> str:
    """A fixture file as `export_lexicon` writes it: 2-space indent, words as written (≥, é), a final newline."""
    return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"


def check_lexicon(lexicon: Lexicon) -> LexiconFiles:
    """The checks `read_fixtures` makes of the files, made of the files this lexicon would export as.

    Raises LexiconError naming every problem, worded as `load_lexicon` words them.
    """
    files = lexicon_fixtures(lexicon)
    natural_keys = {CONCEPTS_FILE: ("concepts", "key"), CLASSES_FILE: ("classes", "key"), DRUGS_FILE: ("drugs", "name")}
    data: dict[str, dict[str, dict[str, Any]]] = {}
    for name, entries in files.items():
        section, key_field = natural_keys[name]
        data[section] = {}
        for entry in entries:
            fields = dict(entry["fields"])
            data[section][fields.pop(key_field)] = fields
    try:
        return LexiconFiles.model_validate(data)
    except ValidationError as error:
        raise LexiconError("; ".join(_plain(item) for item in error.errors())) from None


def export_lexicon(directory: Path = LEXICON_DIR, lexicon: Lexicon | None = None) -> list[Path]:
    """Write the database's lexicon (checked as `load_lexicon` would check it) to DIR/*.json; returns the files."""
    lexicon = lexicon if lexicon is not None else lexicon_from_database()
    if not lexicon.concepts:
        raise EmptyLexicon("The lexicon in the database is empty: there is nothing to export.")
    check_lexicon(lexicon)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, entries in lexicon_fixtures(lexicon).items():
        path = directory / name
        path.write_text(fixture_text(entries), encoding="utf-8")
        written.append(path)
    return written
