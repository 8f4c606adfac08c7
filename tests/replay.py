"""A stand-in for the ClinicalTrials.gov API v2 on 127.0.0.1, serving recorded study records.

It implements the parts of /studies the app uses (query.cond, filter.overallStatus,
filter.ids, the LastUpdatePostDate range of filter.advanced, sort, pageSize,
pageToken, countTotal) with the API's real habits: unknown parameters get a plain-text
400, page tokens only work with the first request's parameters repeated, and a page
may hold fewer studies than asked. Faults can be queued to test the client's recovery.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from screening.ctgov import OPEN_STATUSES

KNOWN_PARAMS = {
    "format",
    "markupFormat",
    "query.cond",
    "query.term",
    "query.locn",
    "query.titles",
    "query.intr",
    "query.outc",
    "query.spons",
    "query.lead",
    "query.id",
    "query.patient",
    "filter.overallStatus",
    "filter.geo",
    "filter.ids",
    "filter.advanced",
    "filter.synonyms",
    "postFilter.overallStatus",
    "postFilter.geo",
    "postFilter.ids",
    "postFilter.advanced",
    "postFilter.synonyms",
    "aggFilters",
    "geoDecay",
    "fields",
    "sort",
    "countTotal",
    "pageSize",
    "pageToken",
}
PAGING_PARAMS = {"pageToken", "pageSize", "countTotal"}
RANGE = re.compile(r"^AREA\[LastUpdatePostDate\]RANGE\[(\d{4}-\d{2}-\d{2}|MIN),\s*(\d{4}-\d{2}-\d{2}|MAX)\]$")
CANCER_WORDS = ("cancer", "neoplasm", "carcinoma", "tumor", "tumour", "malignan")


def load_records(*directories: Path) -> list[dict[str, Any]]:
    records = []
    for directory in directories:
        for path in sorted(directory.glob("*.json")):
            data = json.loads(path.read_text())
            if "protocolSection" in data:
                records.append(data)
    return records


def _section(record: dict[str, Any], name: str) -> dict[str, Any]:
    return record.get("protocolSection", {}).get(name, {})


def nct_id(record: dict[str, Any]) -> str:
    return _section(record, "identificationModule").get("nctId", "")


def last_update(record: dict[str, Any]) -> str:
    return (_section(record, "statusModule").get("lastUpdatePostDateStruct") or {}).get("date", "")


def _matches_condition(record: dict[str, Any], query: str) -> bool:
    text = " ".join(
        [
            *_section(record, "conditionsModule").get("conditions", []),
            _section(record, "identificationModule").get("briefTitle", ""),
        ]
    ).lower()
    for word in query.lower().split():
        if word in CANCER_WORDS:
            if not any(synonym in text for synonym in CANCER_WORDS):
                return False
        elif word not in text:
            return False
    return True


@dataclass
class Fault:
    kind: str  # "429", "503-html", "500", "timeout", "malformed", "truncated", "cut", "400", "html-200"
    retry_after: str | None = None
    delay: float = 1.0
    message: str = "`filter.phase` is unknown parameter"


@dataclass
class ReplayServer:
    records: list[dict[str, Any]]
    page_limit: int = 1000
    data_timestamp: str = "2026-11-20T09:00:05"
    faults: deque[Fault | None] = field(default_factory=deque)
    requests: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)
    token_epoch: int = 0

    def __post_init__(self) -> None:
        self.records = copy.deepcopy(self.records)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server._handle(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/api/v2"

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def queue(self, *faults: Fault | None) -> None:
        """Faults for the next requests, in order; None lets one request through normally."""
        self.faults.extend(faults)

    def record(self, nct: str) -> dict[str, Any]:
        return next(record for record in self.records if nct_id(record) == nct)

    # --- serving ---------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        params = parse_qs(parts.query, keep_blank_values=True)
        self.requests.append((parts.path, params))
        fault = self.faults.popleft() if self.faults else None
        if fault is not None and self._fault(handler, fault):
            return
        if parts.path == "/api/v2/version":
            self._send(handler, 200, {"apiVersion": "2.0.5", "dataTimestamp": self.data_timestamp})
        elif parts.path == "/api/v2/studies":
            self._studies(handler, {key: values[-1] for key, values in params.items()})
        else:
            self._send_text(handler, 404, "Not found")

    def _fault(self, handler: BaseHTTPRequestHandler, fault: Fault) -> bool:
        kind = fault.kind
        if kind == "429":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            self._send_text(handler, 429, "Too Many Requests", headers)
        elif kind == "503-html":
            self._send_text(
                handler,
                503,
                "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
                content_type="text/html",
            )
        elif kind == "500":
            self._send_text(handler, 500, "Internal Server Error")
        elif kind == "html-200":
            self._send_text(handler, 200, "<html><body>Scheduled maintenance</body></html>", content_type="text/html")
        elif kind == "400":
            self._send_text(handler, 400, fault.message)
        elif kind == "timeout":
            time.sleep(fault.delay)
            return False  # then answer normally, too late for the client
        elif kind == "malformed":
            self._send_raw(handler, 200, b'{"studies": [{"protocolSection": ', "application/json")
        elif kind == "truncated":
            # A body cut short by a proxy: the declared length is honest, the JSON is not whole.
            self._send_raw(handler, 200, b'{"studies": [], "nextPageTok', "application/json")
        elif kind == "cut":
            # The connection drops before the declared length has arrived.
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", "5000")
            handler.end_headers()
            handler.wfile.write(b'{"studies": [')
            handler.wfile.flush()
            handler.close_connection = True
        else:
            raise ValueError(f"unknown fault {kind}")
        return True

    def _studies(self, handler: BaseHTTPRequestHandler, params: dict[str, str]) -> None:
        unknown = sorted(set(params) - KNOWN_PARAMS)
        if unknown:
            self._send_text(handler, 400, f"`{unknown[0]}` is unknown parameter")
            return
        query = {key: value for key, value in params.items() if key not in PAGING_PARAMS}
        signature = json.dumps(query, sort_keys=True)
        offset = 0
        if "pageToken" in params:
            try:
                decoded = json.loads(base64.urlsafe_b64decode(params["pageToken"].encode()))
                offset, token_signature, epoch = decoded["offset"], decoded["query"], decoded["epoch"]
            except (ValueError, KeyError):
                self._send_text(handler, 400, "Invalid pageToken")
                return
            if token_signature != signature or epoch != self.token_epoch:
                self._send_text(handler, 400, "Invalid pageToken")
                return
        try:
            matching = self._search(query)
        except ValueError as error:
            self._send_text(handler, 400, str(error))
            return
        size = int(params.get("pageSize") or 10)
        size = min(max(size, 1) if size else 10, 1000, self.page_limit)
        page = matching[offset : offset + size]
        body: dict[str, Any] = {"studies": page}
        if offset + size < len(matching):
            token = {"offset": offset + size, "query": signature, "epoch": self.token_epoch}
            body["nextPageToken"] = base64.urlsafe_b64encode(json.dumps(token).encode()).decode()
        if params.get("countTotal") == "true" and "pageToken" not in params:
            body["totalCount"] = len(matching)
        self._send(handler, 200, body)

    def _search(self, query: dict[str, str]) -> list[dict[str, Any]]:
        found = list(self.records)
        if "query.cond" in query:
            found = [record for record in found if _matches_condition(record, query["query.cond"])]
        statuses = query.get("filter.overallStatus")
        if statuses:
            wanted = set(re.split(r"[|,]", statuses))
            found = [r for r in found if _section(r, "statusModule").get("overallStatus") in wanted]
        ids = query.get("filter.ids")
        if ids:
            wanted = {value.strip().upper() for value in re.split(r"[|,\s]", ids) if value.strip()}
            found = [r for r in found if nct_id(r).upper() in wanted]
        advanced = query.get("filter.advanced")
        if advanced:
            match = RANGE.match(advanced.strip())
            if not match:
                raise ValueError("Error parsing query in advanced filter: Unknown area name")
            low, high = match.groups()
            found = [
                r
                for r in found
                if last_update(r)
                and (low == "MIN" or last_update(r) >= low)
                and (high == "MAX" or last_update(r) <= high)
            ]
        if query.get("sort") == "LastUpdatePostDate:asc":
            found.sort(key=lambda r: (not last_update(r), last_update(r), nct_id(r)))
        elif query.get("sort"):
            raise ValueError(f"Unsupported sort {query['sort']}")
        return found

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        ReplayServer._send_raw(handler, status, json.dumps(body).encode(), "application/json")

    @staticmethod
    def _send_text(
        handler: BaseHTTPRequestHandler,
        status: int,
        text: str,
        headers: dict[str, str] | None = None,
        content_type: str = "text/plain",
    ) -> None:
        ReplayServer._send_raw(handler, status, text.encode(), content_type, headers)

    @staticmethod
    def _send_raw(
        handler: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing to do


def open_breast_ids(replay: ReplayServer) -> set[str]:
    """The trials a sync should hold: the replayed records that are open breast-cancer trials."""
    return {
        nct_id(record)
        for record in replay.records
        if record["protocolSection"]["statusModule"]["overallStatus"] in OPEN_STATUSES
        and _matches_condition(record, "breast cancer")
    }
