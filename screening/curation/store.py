"""Curated readings in the database: loading files, exporting them, and what screening reads.

`load_files` checks every file before it changes anything and stores them in one
transaction; `save` adds a version (the workspace will call it too); `reading_of` gives
screening a trial's rules, from its current curation while that is not stale.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from screening.curation.models import Curation
from screening.curation.reading import (
    Catalogued,
    Problem,
    automatic_curation,
    automatic_items,
    check,
    rules_of,
    text_sha256,
    utc_text,
)
from screening.curation.reading import Curation as CurationData
from screening.engine.lexicon import Lexicon
from screening.engine.rules import Rule
from screening.knowledge import current_lexicon
from screening.models import Revision, Trial

CURATED_DIR = Path(settings.BASE_DIR) / "fixtures" / "curated"
CURATION = "curation"  # its Revision row: moved whenever a curation is stored, so stored shortlists are screened again


# --- Loading ------------------------------------------------------------------------------


class CurationsRefused(Exception):
    """Some files failed their checks: nothing was loaded. `problems` names each file and field."""

    def __init__(self, problems: list[str], files: int, failed: int) -> None:
        super().__init__(f"{failed} of {files} curated reading files refused")
        self.problems, self.files, self.failed = problems, files, failed


@dataclass
class Loaded:
    stored: list[str] = field(default_factory=list)  # NCT IDs given a new version
    unchanged: list[str] = field(default_factory=list)  # already their trial's current curation
    automatic: list[str] = field(default_factory=list)  # unsigned automatic readings: nothing to store

    @property
    def files(self) -> int:
        return len(self.stored) + len(self.unchanged) + len(self.automatic)


def curation_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(child for child in path.glob("*.json") if child.is_file())
        else:
            yield path


def catalogued(trial: Trial) -> Catalogued:
    return Catalogued(trial.eligibility_text, automatic_items(trial.rules))


def load_files(paths: Iterable[Path], lexicon: Lexicon | None = None) -> Loaded:
    """Check every file, then store them all in one transaction; raises CurationsRefused, storing nothing."""
    files = list(curation_files(paths))
    lexicon = lexicon or current_lexicon()
    problems: list[str] = []
    failed = 0
    checked: list[CurationData] = []
    first_file: dict[str, Path] = {}
    for path in files:
        curation, found = _check_file(path, lexicon)
        if curation is not None and curation.nct_id in first_file:
            found = [
                Problem(
                    "nct_id", f"{curation.nct_id} is also read by {first_file[curation.nct_id]}: one file per trial"
                )
            ]
        if found:
            failed += 1
            problems += [f"{path}: {problem}" for problem in found]
            continue
        first_file[curation.nct_id] = path
        checked.append(curation)
    if problems:
        raise CurationsRefused(problems, len(files), failed)

    loaded = Loaded()
    with transaction.atomic():
        trials = Trial.objects.only("id", "nct_id").in_bulk([c.nct_id for c in checked], field_name="nct_id")
        for curation in checked:
            if not curation.signed:
                loaded.automatic.append(curation.nct_id)
            elif save(trials[curation.nct_id], curation, bump=False) is None:
                loaded.unchanged.append(curation.nct_id)
            else:
                loaded.stored.append(curation.nct_id)
        if loaded.stored:
            Revision.objects.bump(CURATION)
    return loaded


def _check_file(path: Path, lexicon: Lexicon) -> tuple[CurationData | None, list[Problem]]:
    try:
        data: Any = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None, [Problem("file", "does not exist")]
    except OSError as error:
        return None, [Problem("file", f"cannot be read ({error.strerror})")]
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, [Problem("file", f"is not valid JSON ({error})")]
    nct_id = data.get("nct_id") if isinstance(data, dict) else None
    trial = (
        Trial.objects.filter(nct_id=nct_id).only("eligibility_text", "rules").first()
        if isinstance(nct_id, str)
        else None
    )
    return check(data, lexicon, catalogued(trial) if trial else None)


def save(trial: Trial, curation: CurationData, *, bump: bool = True) -> Curation | None:
    """Store a checked, signed curation as the trial's newest version; None when it is already the current one."""
    if not curation.signed:
        raise ValueError("an unsigned reading is the engine's own: there is nothing to store")
    with transaction.atomic():
        # One saver at a time per trial, so two identical saves cannot both add a version.
        Trial.objects.select_for_update().only("id").get(id=trial.id)
        current = Curation.objects.filter(trial=trial).order_by("-id").first()
        if current is not None and current.digest == curation.digest:
            return None
        version = Curation.of(trial, curation)
        version.save()
        if bump:
            Revision.objects.bump(CURATION)
    return version


# --- Exporting ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Exported:
    curation: CurationData
    # The trial's current curation when it is stale (the file then holds the automatic reading).
    stale: Curation | None = None


def export_trial(trial: Trial) -> Exported:
    """What `export_curated` writes for a trial: its current curation unless stale, else the automatic reading."""
    current = trial.curations.order_by("-id").first()
    if current is not None and not current.is_stale_for(trial.eligibility_text):
        return Exported(current.data())
    return Exported(automatic_curation(trial.nct_id, trial.eligibility_text, trial.rules), current)


# --- What screening reads -----------------------------------------------------------------


@dataclass(frozen=True)
class CurrentCuration:
    """A trial's current curation without its items: enough to key a cache and tell staleness."""

    id: int
    digest: str
    criteria_sha256: str
    curated_by: str
    curated_at: str

    def signature(self) -> dict[str, str]:
        return {"curated_by": self.curated_by, "curated_at": self.curated_at}


def current_curations() -> dict[str, CurrentCuration]:
    """Every curated trial's current curation, by NCT ID (one small query per screening)."""
    return {
        nct_id: CurrentCuration(id, digest, sha, curated_by, utc_text(curated_at))
        for id, nct_id, digest, sha, curated_by, curated_at in Curation.objects.current().values_list(
            "id", "trial__nct_id", "digest", "criteria_sha256", "curated_by", "curated_at"
        )
    }


def reading_of(
    current: CurrentCuration | None, stored_rules: list[dict[str, Any]], criteria_text: str
) -> tuple[list[Rule], dict[str, Any]]:
    """A trial's rules and the result's `reading` field: the curation's while it is not stale, else the engine's."""
    if current is None:
        return [Rule.from_dict(item) for item in stored_rules], {"source": "automatic"}
    if current.criteria_sha256 != text_sha256(criteria_text):
        # The text changed at import or sync: the engine's reading of the new text decides until a curator looks again.
        reading = {"source": "automatic", "stale_curation": current.signature()}
        return [Rule.from_dict(item) for item in stored_rules], reading
    items = Curation.objects.values_list("criteria", flat=True).get(id=current.id)
    return rules_of(items), {"source": "curated", **current.signature()}
