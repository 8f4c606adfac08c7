"""Keeping the catalogue in step with ClinicalTrials.gov.

The first run fetches every recruiting or not-yet-recruiting breast-cancer trial; later
runs fetch only records updated since the last one. Pages come sorted by last update
and each is committed in its own transaction together with the run's watermark, so a
run that dies half-way leaves a consistent catalogue. The next run picks up from there:
an incremental run from the watermark, a full run by walking again, which skips every
record already stored unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from screening.catalogue import UpsertCounts, upsert_records
from screening.ctgov import OPEN_STATUSES, CtGovClient, CtGovRequestRejected, parse_partial_date
from screening.models import SyncRun, Trial

CONDITION = "breast cancer"
# Ask the API for ID batches small enough to keep the URL short.
ID_BATCH = 100
MAX_RESTARTS = 2

ProgressCallback = Callable[[int, int | None], None]


def search_params(mode: str, since: dt.date | None) -> dict[str, Any]:
    params: dict[str, Any] = {"query.cond": CONDITION, "sort": "LastUpdatePostDate:asc"}
    if mode == SyncRun.Mode.FULL:
        params["filter.overallStatus"] = "|".join(OPEN_STATUSES)
    if since is not None:
        # Dates are whole days, so the boundary day is read again; unchanged records cost nothing.
        params["filter.advanced"] = f"AREA[LastUpdatePostDate]RANGE[{since.isoformat()},MAX]"
    return params


def plan_next_run(force_full: bool = False) -> tuple[str, dt.date | None]:
    """Which kind of run comes next, and from which day."""
    if force_full:
        return SyncRun.Mode.FULL, None
    latest = SyncRun.objects.exclude(outcome=SyncRun.Outcome.RUNNING).first()
    if latest is not None and latest.outcome == SyncRun.Outcome.FAILED:
        if latest.mode == SyncRun.Mode.FULL:
            # Walk everything again: committed pages come back unchanged and cost no writes,
            # and records without an update date (which sort last) are not skipped.
            return SyncRun.Mode.FULL, latest.since
        return latest.mode, latest.watermark or latest.since
    succeeded = SyncRun.objects.filter(outcome=SyncRun.Outcome.SUCCEEDED).first()
    if succeeded is None or (succeeded.watermark or succeeded.since) is None:
        return SyncRun.Mode.FULL, None
    return SyncRun.Mode.INCREMENTAL, succeeded.watermark or succeeded.since


def close_abandoned_runs() -> int:
    """Mark runs still 'running' as failed; call it only while holding the sync lock.

    Under the lock no other run is alive, so such a run is one whose process was killed
    before it could record how it ended. Marked failed, it keeps the log true and lets
    the next run resume from its watermark.
    """
    return SyncRun.objects.filter(outcome=SyncRun.Outcome.RUNNING).update(
        outcome=SyncRun.Outcome.FAILED,
        error="The run stopped without recording how it ended (its process was killed).",
        finished_at=timezone.now(),
    )


def _page_watermark(records: list[dict[str, Any]]) -> dt.date | None:
    dates = []
    for record in records:
        status = record.get("protocolSection", {}).get("statusModule", {})
        day = parse_partial_date((status.get("lastUpdatePostDateStruct") or {}).get("date"))
        if day:
            dates.append(day)
    return max(dates) if dates else None


def _keep(records: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
    """Drop closed trials we never held: an incremental search returns every status."""
    if mode == SyncRun.Mode.FULL:
        return records
    ids = {
        str(record.get("protocolSection", {}).get("identificationModule", {}).get("nctId", "")).upper()
        for record in records
    }
    held = set(Trial.objects.filter(nct_id__in=ids).values_list("nct_id", flat=True))
    kept = []
    for record in records:
        section = record.get("protocolSection", {})
        nct_id = str(section.get("identificationModule", {}).get("nctId", "")).upper()
        if nct_id in held or section.get("statusModule", {}).get("overallStatus") in OPEN_STATUSES:
            kept.append(record)
    return kept


def _commit_page(run: SyncRun, records: list[dict[str, Any]], counts: UpsertCounts) -> None:
    with transaction.atomic():
        page_counts = upsert_records(records)
        counts.add(page_counts)
        run.pages += 1
        run.new, run.updated, run.unchanged = counts.new, counts.updated, counts.unchanged
        run.failed, run.left_filter = counts.failed, counts.left_filter
        run.save(update_fields=["pages", "new", "updated", "unchanged", "failed", "left_filter", "watermark"])


def _recheck_leavers(client: CtGovClient, run: SyncRun, seen: set[str], counts: UpsertCounts) -> None:
    """After a complete full walk, look up the open trials we hold that the walk did not return.

    Their records are refreshed (a changed status shows itself); any still open in our copy
    no longer match the breast-cancer search and are marked as having left it.
    """
    missing = list(Trial.objects.real().open().exclude(nct_id__in=seen).values_list("nct_id", flat=True))
    for start in range(0, len(missing), ID_BATCH):
        batch = missing[start : start + ID_BATCH]
        for page in client.iter_study_pages({"filter.ids": ",".join(batch)}):
            _commit_page(run, page.studies, counts)
        with transaction.atomic():
            counts.left_filter += Trial.objects.filter(nct_id__in=batch).open().update(left_filter_at=timezone.now())
            run.left_filter = counts.left_filter
            run.save(update_fields=["left_filter"])


def sync(
    client: CtGovClient,
    *,
    force_full: bool = False,
    progress: ProgressCallback | None = None,
    problems: list[str] | None = None,
) -> SyncRun:
    """Run one sync. Returns the finished SyncRun; raises CtGovError (after recording it) on failure."""
    mode, since = plan_next_run(force_full)
    run = SyncRun.objects.create(mode=mode, since=since, watermark=since)
    counts = UpsertCounts()
    seen: set[str] = set()
    try:
        version = client.version()
        run.api_data_timestamp = str(version.get("dataTimestamp", ""))[:32]
        run.save(update_fields=["api_data_timestamp"])
        restarts = 0
        done = 0
        while True:
            # A full walk starts over (records without an update date sort last, after any
            # watermark); an incremental one carries on from its watermark.
            start = run.watermark if mode == SyncRun.Mode.INCREMENTAL else since
            pages = client.iter_study_pages(search_params(mode, start))
            number = -1
            try:
                for number, page in enumerate(pages):
                    if progress and number == 0:
                        progress(0, page.total_count)
                    kept = _keep(page.studies, mode)
                    seen |= {
                        str(r.get("protocolSection", {}).get("identificationModule", {}).get("nctId", "")).upper()
                        for r in kept
                    }
                    run.watermark = _page_watermark(page.studies) or run.watermark
                    _commit_page(run, kept, counts)
                    done += len(page.studies)
                    if progress:
                        progress(done, None)
                break
            except CtGovRequestRejected:
                # Page tokens die when the API refreshes its data; start again from what is committed.
                if number < 0 or restarts >= MAX_RESTARTS:
                    raise
                restarts += 1
        if mode == SyncRun.Mode.FULL and since is None:
            _recheck_leavers(client, run, seen, counts)
        if Trial.objects.real().exists():
            # Real data has arrived: the illustrative demo trials have done their job.
            Trial.objects.demo().delete()
    except BaseException as error:
        run.outcome = SyncRun.Outcome.FAILED
        run.error = "Interrupted" if isinstance(error, KeyboardInterrupt) else str(error)
        run.finished_at = timezone.now()
        run.save(update_fields=["outcome", "error", "finished_at"])
        if problems is not None:
            problems.extend(counts.problems)
        raise
    run.outcome = SyncRun.Outcome.SUCCEEDED
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "finished_at"])
    if problems is not None:
        problems.extend(counts.problems)
    return run
