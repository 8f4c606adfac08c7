"""python manage.py sync_trials against the replay server."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from screening.ctgov import CtGovClient, CtGovUnavailable
from screening.models import SyncRun, Trial
from screening.sync import sync
from tests.replay import Fault, _matches_condition, last_update, nct_id, open_breast_ids

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def settings_for(settings, replay):
    settings.CTGOV_BASE_URL = replay.url
    settings.CTGOV_MIN_INTERVAL = 0
    settings.CTGOV_BACKOFF = 0.01
    settings.CTGOV_READ_TIMEOUT = 0.5
    settings.CTGOV_MAX_RETRIES = 2
    return settings


def first_watermark_of(replay) -> str:
    return SyncRun.objects.filter(outcome="succeeded").first().watermark.isoformat()


def run_command(*args) -> str:
    out = io.StringIO()
    call_command("sync_trials", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_first_sync_fetches_every_open_breast_cancer_trial(settings_for, replay):
    expected = open_breast_ids(replay)
    output = run_command()
    assert set(Trial.objects.values_list("nct_id", flat=True)) == expected
    assert len(expected) > 150
    run = SyncRun.objects.get()
    assert run.outcome == "succeeded" and run.mode == "full" and run.pages >= 3
    assert (
        output.strip()
        == f"Sync finished (full, all open breast-cancer trials): {len(expected)} new, 0 updated, 0 unchanged, 0 failed."
    )


def test_the_next_sync_asks_only_for_records_updated_since_and_applies_them(settings_for, replay):
    run_command()
    first = SyncRun.objects.get()
    assert first.watermark is not None
    changed = next(
        r
        for r in replay.records
        if nct_id(r) in open_breast_ids(replay) and r["protocolSection"]["statusModule"].get("lastUpdatePostDateStruct")
    )
    changed["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    changed["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"] = {"date": "2026-11-21"}
    replay.requests.clear()

    output = run_command()

    studies_requests = [params for path, params in replay.requests if path.endswith("/studies")]
    assert studies_requests[0]["filter.advanced"] == [
        f"AREA[LastUpdatePostDate]RANGE[{first.watermark.isoformat()},MAX]"
    ]
    assert "filter.overallStatus" not in studies_requests[0]
    trial = Trial.objects.get(nct_id=nct_id(changed))
    assert trial.status == "COMPLETED" and not trial.is_open
    assert "1 updated" in output and "1 no longer recruiting" in output
    assert SyncRun.objects.first().mode == "incremental"


def test_an_incremental_sync_ignores_closed_trials_it_never_held(settings_for, replay):
    run_command()
    closed = next(
        r for r in replay.records if nct_id(r) not in open_breast_ids(replay) and _matches_condition(r, "breast cancer")
    )
    closed["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"] = {"date": "2026-11-21"}
    run_command()
    assert not Trial.objects.filter(nct_id=nct_id(closed)).exists()


def test_a_full_resync_marks_trials_that_left_the_search(settings_for, replay):
    run_command()
    leaver = next(iter(sorted(open_breast_ids(replay))))
    record = replay.record(leaver)
    record["protocolSection"]["conditionsModule"]["conditions"] = ["Healthy volunteers"]
    record["protocolSection"]["identificationModule"]["briefTitle"] = "A study of sleep"
    output = run_command("--full")
    trial = Trial.objects.get(nct_id=leaver)
    assert trial.left_filter_at is not None and not trial.is_open
    assert not Trial.objects.open().filter(nct_id=leaver).exists()
    assert "1 no longer recruiting" in output


def test_faults_that_retrying_fixes_do_not_stop_the_sync(settings_for, replay):
    replay.queue(
        None, None, Fault("429", retry_after="0"), None, Fault("503-html"), Fault("truncated"), None, Fault("malformed")
    )
    run_command()
    assert set(Trial.objects.values_list("nct_id", flat=True)) == open_breast_ids(replay)


def test_an_unreachable_api_exits_with_a_plain_message_and_records_the_failure(settings):
    settings.CTGOV_BASE_URL = "http://127.0.0.1:9/api/v2"
    settings.CTGOV_MIN_INTERVAL = 0
    settings.CTGOV_BACKOFF = 0.01
    settings.CTGOV_MAX_RETRIES = 1
    with pytest.raises(CommandError, match="Sync failed.*could not be reached at http://127.0.0.1:9/api/v2"):
        run_command()
    run = SyncRun.objects.get()
    assert run.outcome == "failed" and "could not be reached" in run.error and run.finished_at


def test_a_rejected_request_fails_without_retrying(settings_for, replay):
    replay.queue(None, Fault("400", message="Error parsing query in advanced filter"))
    with pytest.raises(CommandError, match="HTTP 400.*Error parsing query in advanced filter"):
        run_command()
    assert len(replay.requests) == 2


def test_a_sync_that_dies_mid_walk_keeps_whole_pages_and_the_next_run_resumes(settings_for, replay):
    # Three pages go through, then the API keeps failing.
    replay.queue(None, None, None, None, *[Fault("503-html")] * 3)
    with pytest.raises(CommandError, match="Sync failed; the catalogue keeps every page"):
        run_command()
    failed = SyncRun.objects.get()
    assert failed.outcome == "failed" and failed.pages == 3
    assert Trial.objects.count() == failed.new > 0
    # Each committed page is whole: every trial in the catalogue has all its sites.
    for trial in Trial.objects.all():
        locations = trial.record["protocolSection"].get("contactsLocationsModule", {}).get("locations", [])
        assert trial.sites.count() == len(locations)

    output = run_command()
    resumed = SyncRun.objects.first()
    assert resumed.outcome == "succeeded" and resumed.mode == "full"
    assert resumed.unchanged == failed.new and resumed.new == len(open_breast_ids(replay)) - failed.new
    assert f"{resumed.new} new, 0 updated, {failed.new} unchanged" in output
    assert set(Trial.objects.values_list("nct_id", flat=True)) == open_breast_ids(replay)


def test_an_incremental_sync_that_dies_resumes_from_its_watermark(settings_for, replay):
    run_command()
    boundary = sum(
        1
        for r in replay.records
        if last_update(r) >= first_watermark_of(replay) and _matches_condition(r, "breast cancer")
    )
    for day, record in zip(
        ["2027-01-01", "2027-01-02", "2027-01-03"], sorted(replay.records, key=nct_id)[:3], strict=True
    ):
        record["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"] = {"date": day}
        record["protocolSection"]["statusModule"]["overallStatus"] = "RECRUITING"
        record["protocolSection"]["conditionsModule"]["conditions"] = ["Metastatic Breast Cancer"]
    server_page_limit = replay.page_limit
    replay.page_limit = 1
    # The version request, the pages re-reading the boundary day, two new pages; then failure.
    replay.queue(*[None] * (1 + boundary + 2), *[Fault("500")] * 3)
    with pytest.raises(CommandError):
        run_command()
    failed = SyncRun.objects.first()
    assert failed.mode == "incremental" and failed.pages == boundary + 2
    assert failed.watermark.isoformat() == "2027-01-02"
    replay.page_limit = server_page_limit
    replay.requests.clear()
    run_command()
    first_params = next(params for path, params in replay.requests if path.endswith("/studies"))
    assert first_params["filter.advanced"] == ["AREA[LastUpdatePostDate]RANGE[2027-01-02,MAX]"]
    assert SyncRun.objects.first().outcome == "succeeded"
    assert Trial.objects.filter(nct_id__in=[nct_id(r) for r in sorted(replay.records, key=nct_id)[:3]]).count() == 3


def test_an_expired_page_token_restarts_the_walk_from_what_is_committed(settings, replay):
    client = CtGovClient(replay.url, min_interval=0, backoff=0.01, sleep=lambda s: None)
    pages_seen = 0

    def expire_tokens_after_two_pages(done, total):
        nonlocal pages_seen
        pages_seen += 1
        if pages_seen == 3:
            replay.token_epoch += 1  # the API refreshed its data

    run = sync(client, progress=expire_tokens_after_two_pages)
    assert run.outcome == "succeeded"
    assert set(Trial.objects.values_list("nct_id", flat=True)) == open_breast_ids(replay)


def test_a_client_error_during_sync_is_raised_and_recorded(replay):
    replay.queue(*[Fault("500")] * 3)
    client = CtGovClient(replay.url, min_interval=0, max_retries=2, backoff=0.01, sleep=lambda s: None)
    with pytest.raises(CtGovUnavailable):
        sync(client)
    assert SyncRun.objects.get().outcome == "failed"


def test_real_data_replaces_the_demo_catalogue(settings_for, replay):
    call_command("import_studies", "fixtures/demo", stdout=io.StringIO())
    assert Trial.objects.demo().count() == 30
    run_command()
    assert not Trial.objects.demo().exists()
