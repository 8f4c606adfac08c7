"""Loading ClinicalTrials.gov study records into the catalogue.

Used by `import_studies` (files) and `sync_trials` (the API). Records are upserted by
NCT ID in batches; a record whose content has not changed is left alone.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import reset_queries, transaction
from django.utils import timezone
from pydantic import ValidationError

from screening.ctgov import OPEN_STATUSES, Study, parse_partial_date
from screening.engine.extract import rules_version
from screening.engine.lexicon import Lexicon
from screening.engine.parallel import rules_for_many
from screening.knowledge import current_lexicon
from screening.models import NCT_ID_REGEX, Sex, Site, Trial, TrialStatus

BATCH_SIZE = 250


@dataclass
class UpsertCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    left_filter: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, other: UpsertCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.failed += other.failed
        self.left_filter += other.left_filter
        self.problems.extend(other.problems)

    @property
    def loaded(self) -> int:
        return self.new + self.updated + self.unchanged


def eligibility_text(record: dict[str, Any]) -> str:
    """The criteria text of a raw record, read without validating it (for extraction ahead of time)."""
    section = record.get("protocolSection")
    module = section.get("eligibilityModule") if isinstance(section, dict) else None
    text = module.get("eligibilityCriteria") if isinstance(module, dict) else None
    return text if isinstance(text, str) else ""


class BadFile(Exception):
    """A file that is not a study record, a search page, or valid JSON."""


def record_hash(record: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def records_in_file(path: Path) -> list[dict[str, Any]]:
    """The study records a file holds: one study, or the `studies` of a search page."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadFile(f"{path}: not readable JSON ({error})") from None
    if isinstance(data, dict) and isinstance(data.get("protocolSection"), dict):
        return [data]
    if isinstance(data, dict) and isinstance(data.get("studies"), list):
        studies = data["studies"]
        if all(isinstance(study, dict) for study in studies):
            return studies
    raise BadFile(f"{path}: not a study record or a search page of studies")


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(child for child in path.glob("*.json") if child.is_file())
        else:
            yield path


def trial_fields(study: Study, record: dict[str, Any], digest: str, rules: list[dict], version: str) -> dict[str, Any]:
    section = study.protocol_section
    ident = section.identification_module
    status = section.status_module
    eligibility = section.eligibility_module
    interventions = [
        {"type": item.type or "", "name": item.name, "description": item.description, "other_names": item.other_names}
        for item in section.arms_interventions_module.interventions
    ]
    sponsor = section.sponsor_collaborators_module.lead_sponsor
    conditions = section.conditions_module.conditions
    nct_id = study.nct_id
    overall = status.overall_status if status.overall_status in TrialStatus.values else TrialStatus.UNKNOWN
    search_parts = [
        nct_id,
        ident.brief_title,
        ident.official_title,
        ident.acronym,
        *conditions,
        *section.conditions_module.keywords,
        *(item["name"] for item in interventions),
        *(name for item in interventions for name in item["other_names"]),
        sponsor.name if sponsor else "",
    ]
    return {
        "nct_id": nct_id,
        "is_demo": nct_id.startswith("DEMO-"),
        "title": ident.brief_title or ident.official_title or nct_id,
        "official_title": ident.official_title,
        "acronym": ident.acronym[:100],
        "status": overall,
        "phases": " ".join(section.design_module.phases),
        "study_type": section.design_module.study_type or "",
        "primary_purpose": section.design_module.design_info.primary_purpose or "",
        "conditions": conditions,
        "interventions": interventions,
        "sponsor": sponsor.name if sponsor else "",
        "summary": section.description_module.brief_summary,
        "eligibility_text": eligibility.eligibility_criteria,
        "sex": eligibility.sex if eligibility.sex in Sex.values else Sex.ALL,
        "minimum_age_years": eligibility.minimum_age_years,
        "maximum_age_years": eligibility.maximum_age_years,
        "healthy_volunteers": eligibility.healthy_volunteers,
        "last_update_posted": parse_partial_date(
            status.last_update_post_date_struct.date if status.last_update_post_date_struct else None
        ),
        "record": record,
        "record_hash": digest,
        "rules": rules,
        "rules_version": version,
        "search_text": " ".join(part for part in search_parts if part).lower(),
    }


def sites_for(study: Study) -> list[Site]:
    sites = []
    for location in study.protocol_section.contacts_locations_module.locations:
        point = location.geo_point
        sites.append(
            Site(
                facility=location.facility,
                city=location.city[:200],
                state=location.state[:200],
                zip_code=location.zip[:20],
                country=location.country[:100],
                status=location.status or "",
                latitude=point.lat if point else None,
                longitude=point.lon if point else None,
                contacts=[contact.model_dump(exclude_defaults=True) for contact in location.contacts],
            )
        )
    return sites


def validate(record: dict[str, Any]) -> Study:
    """A record as a Study, or ValueError naming what is wrong with it."""
    try:
        study = Study.model_validate(record)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"{where}: {first['msg']}") from None
    if not re.fullmatch(NCT_ID_REGEX, study.nct_id):
        raise ValueError(f"identificationModule.nctId: {study.nct_id!r} is not an NCT ID")
    return study


def upsert_records(
    records: list[dict[str, Any]],
    sources: list[str] | None = None,
    lexicon: Lexicon | None = None,
    prepared: dict[str, list[dict]] | None = None,
) -> UpsertCounts:
    """Insert or update a batch of study records in one transaction.

    Records that fail validation are counted and described, never fatal.
    """
    counts = UpsertCounts()
    parsed: dict[str, tuple[Study, dict[str, Any], str]] = {}
    for index, record in enumerate(records):
        try:
            study = validate(record)
        except ValueError as error:
            counts.failed += 1
            counts.problems.append(f"{sources[index]}: {error}" if sources else f"record {index + 1}: {error}")
            continue
        # The same study twice in one batch: the later copy wins.
        parsed[study.nct_id] = (study, record, record_hash(record))

    if not parsed:
        return counts

    now = timezone.now()
    lexicon = lexicon or current_lexicon()
    with transaction.atomic():
        existing = {
            row["nct_id"]: row
            for row in Trial.objects.filter(nct_id__in=parsed).values(
                "id", "nct_id", "record_hash", "status", "left_filter_at"
            )
        }
        to_create: list[Trial] = []
        to_update: list[Trial] = []
        new_sites: dict[str, list[Site]] = {}
        changed: list[tuple[str, Study, dict[str, Any], str, dict[str, Any] | None]] = []
        for nct_id, (study, record, digest) in parsed.items():
            row = existing.get(nct_id)
            now_open = study.protocol_section.status_module.overall_status in OPEN_STATUSES
            if row is None:
                changed.append((nct_id, study, record, digest, None))
                counts.new += 1
                continue
            was_open = row["status"] in OPEN_STATUSES and row["left_filter_at"] is None
            if was_open and not now_open:
                counts.left_filter += 1
            if row["record_hash"] == digest and (row["left_filter_at"] is None or not now_open):
                counts.unchanged += 1
                continue
            changed.append((nct_id, study, record, digest, row))
            counts.updated += 1

        version = rules_version(lexicon)
        texts = [study.protocol_section.eligibility_module.eligibility_criteria for _, study, _, _, _ in changed]
        prepared = prepared or {}
        fresh = iter(rules_for_many([text for text in texts if text not in prepared], lexicon))
        all_rules = [prepared[text] if text in prepared else next(fresh) for text in texts]
        for (nct_id, study, record, digest, row), rules in zip(changed, all_rules, strict=True):
            fields = trial_fields(study, record, digest, rules, version)
            if row is None:
                to_create.append(Trial(**fields, synced_at=now, first_synced_at=now))
            else:
                to_update.append(Trial(id=row["id"], **fields, synced_at=now, left_filter_at=None))
            new_sites[nct_id] = sites_for(study)

        Trial.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        if to_update:
            Trial.objects.bulk_update(to_update, UPDATED_FIELDS, batch_size=BATCH_SIZE)
            Site.objects.filter(trial_id__in=[trial.id for trial in to_update]).delete()
        ids = dict(Trial.objects.filter(nct_id__in=new_sites).values_list("nct_id", "id"))
        sites = []
        for nct_id, trial_sites in new_sites.items():
            for site in trial_sites:
                site.trial_id = ids[nct_id]
                sites.append(site)
        Site.objects.bulk_create(sites, batch_size=BATCH_SIZE)
    # With DEBUG on, Django keeps the SQL of recent queries, and ours carry whole study
    # records: hundreds of megabytes over a large import.
    reset_queries()
    return counts


UPDATED_FIELDS = [
    "is_demo",
    "title",
    "official_title",
    "acronym",
    "status",
    "phases",
    "study_type",
    "primary_purpose",
    "conditions",
    "interventions",
    "sponsor",
    "summary",
    "eligibility_text",
    "sex",
    "minimum_age_years",
    "maximum_age_years",
    "healthy_volunteers",
    "last_update_posted",
    "record",
    "record_hash",
    "rules",
    "rules_version",
    "search_text",
    "synced_at",
    "left_filter_at",
]
