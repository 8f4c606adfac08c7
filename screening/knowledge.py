"""The criteria knowledge in the database, handed to the engine as plain data.

Staff curate the lexicon in fixtures/lexicon/*.json; `load_lexicon` validates and loads
those files, and every trial's rules are extracted again when the lexicon changes.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from screening.engine.extract import rules_version
from screening.engine.lexicon import Concept as ConceptData
from screening.engine.lexicon import Drug as DrugData
from screening.engine.lexicon import DrugClass as DrugClassData
from screening.engine.lexicon import Lexicon, read_fixtures
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
