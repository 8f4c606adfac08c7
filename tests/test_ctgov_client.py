"""The ClinicalTrials.gov client over real HTTP against the local replay server."""

from __future__ import annotations

import pytest

from screening.ctgov import CtGovClient, CtGovRequestRejected, CtGovUnavailable
from tests.replay import Fault, ReplayServer


def make_client(server: ReplayServer, waits: list[float] | None = None, **options) -> CtGovClient:
    recorded = waits if waits is not None else []
    defaults = {"min_interval": 0.0, "backoff": 0.01, "read_timeout": 0.5, "max_retries": 3}
    return CtGovClient(server.url, sleep=recorded.append, **{**defaults, **options})


def breast_open() -> dict[str, str]:
    return {"query.cond": "breast cancer", "filter.overallStatus": "RECRUITING|NOT_YET_RECRUITING"}


def test_paging_follows_tokens_until_absent_and_repeats_the_first_parameters(replay):
    client = make_client(replay)
    pages = list(client.iter_study_pages(breast_open()))
    studies = [study for page in pages for study in page.studies]
    assert len(pages) > 2
    assert len({s["protocolSection"]["identificationModule"]["nctId"] for s in studies}) == len(studies)
    assert pages[0].total_count == len(studies)
    first, *later = [params for path, params in replay.requests if path.endswith("/studies")]
    assert first["pageSize"] == ["1000"] and first["countTotal"] == ["true"]
    for params in later:
        assert params["query.cond"] == first["query.cond"]
        assert params["filter.overallStatus"] == first["filter.overallStatus"]
        assert "countTotal" not in params and "pageToken" in params


def test_a_server_that_returns_short_pages_is_still_read_to_the_end(real_records):
    server = ReplayServer(real_records, page_limit=7).start()
    try:
        client = make_client(server)
        pages = list(client.iter_study_pages(breast_open()))
        assert all(len(page.studies) <= 7 for page in pages)
        assert sum(len(page.studies) for page in pages) == pages[0].total_count > 7
    finally:
        server.stop()


def test_the_client_names_itself_and_waits_between_requests(replay):
    waits: list[float] = []
    client = make_client(replay, waits, min_interval=0.2)
    client.version()
    client.version()
    assert client.session.headers["User-Agent"].startswith("trialscreen/")
    assert len(waits) == 1 and 0 < waits[0] <= 0.2


def test_a_429_is_retried_after_the_time_the_server_asks_for(replay):
    waits: list[float] = []
    replay.queue(Fault("429", retry_after="7"))
    assert make_client(replay, waits).version()["apiVersion"] == "2.0.5"
    assert waits == [7.0]


@pytest.mark.parametrize("kind", ["503-html", "500", "malformed", "truncated", "cut", "html-200"])
def test_transient_failures_are_retried_with_growing_backoff(replay, kind):
    waits: list[float] = []
    replay.queue(Fault(kind), Fault(kind))
    page = next(make_client(replay, waits).iter_study_pages(breast_open()))
    assert page.studies
    assert len(waits) == 2 and waits[1] > waits[0]


def test_a_read_timeout_is_retried(replay):
    replay.queue(Fault("timeout", delay=1.0))
    waits: list[float] = []
    assert make_client(replay, waits, read_timeout=0.3).version()["apiVersion"] == "2.0.5"
    assert len(waits) == 1


def test_when_retries_run_out_the_error_says_what_kept_failing(replay):
    replay.queue(*[Fault("503-html")] * 4)
    with pytest.raises(CtGovUnavailable, match=r"after 4 attempts: server error \(HTTP 503\)"):
        make_client(replay).version()


def test_a_400_is_not_retried_and_its_plain_text_message_is_kept(replay):
    client = make_client(replay)
    with pytest.raises(CtGovRequestRejected) as raised:
        next(client.iter_study_pages({"filter.phase": "PHASE3"}))
    assert raised.value.status == 400
    assert raised.value.message == "`filter.phase` is unknown parameter"
    assert len(replay.requests) == 1


def test_an_unreachable_server_gives_a_clear_error():
    client = CtGovClient("http://127.0.0.1:9/api/v2", min_interval=0, max_retries=1, sleep=lambda s: None)
    with pytest.raises(CtGovUnavailable, match="could not be reached at http://127.0.0.1:9/api/v2 after 2 attempts"):
        client.version()
