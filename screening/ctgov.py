"""ClinicalTrials.gov API v2: the study record models and a small HTTP client.

API reference: https://clinicaltrials.gov/data-api/api (OpenAPI spec v2.0.5).
The models cover only the parts of a record the app uses; everything else is ignored,
and every module is optional because `fields=`-filtered records leave them out.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import random
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

logger = logging.getLogger(__name__)

USER_AGENT = "trialscreen/1.0 (metastatic breast cancer trial pre-screening)"
MAX_PAGE_SIZE = 1000
OPEN_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING")


# --- Study record ------------------------------------------------------------


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class DateStruct(ApiModel):
    date: str | None = None
    type: str | None = None


class IdentificationModule(ApiModel):
    nct_id: str
    brief_title: str = ""
    official_title: str = ""
    acronym: str = ""


class StatusModule(ApiModel):
    overall_status: str = "UNKNOWN"
    last_known_status: str | None = None
    status_verified_date: str | None = None
    start_date_struct: DateStruct | None = None
    last_update_post_date_struct: DateStruct | None = None


class Party(ApiModel):
    name: str = ""


class SponsorModule(ApiModel):
    lead_sponsor: Party | None = None
    collaborators: list[Party] = []


class DescriptionModule(ApiModel):
    brief_summary: str = ""
    detailed_description: str = ""


class ConditionsModule(ApiModel):
    conditions: list[str] = []
    keywords: list[str] = []


class DesignInfo(ApiModel):
    primary_purpose: str | None = None


class DesignModule(ApiModel):
    study_type: str | None = None
    phases: list[str] = []
    design_info: DesignInfo = DesignInfo()


class Intervention(ApiModel):
    type: str | None = None
    name: str = ""
    description: str = ""
    other_names: list[str] = []


class ArmGroup(ApiModel):
    label: str = ""
    type: str | None = None
    description: str = ""
    intervention_names: list[str] = []


class ArmsInterventionsModule(ApiModel):
    arm_groups: list[ArmGroup] = []
    interventions: list[Intervention] = []


AGE_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.IGNORECASE)
UNIT_IN_YEARS = {
    "year": 1.0,
    "month": 1 / 12,
    "week": 7 / 365.25,
    "day": 1 / 365.25,
    "hour": 1 / 8766,
    "minute": 1 / 525960,
}


def age_in_years(text: str | None) -> float | None:
    """ "18 Years" -> 18.0, "6 Months" -> 0.5; None or "N/A" means no limit."""
    if not text:
        return None
    match = AGE_PATTERN.match(text)
    if not match:
        return None
    return round(float(match[1]) * UNIT_IN_YEARS[match[2].lower()], 4)


class EligibilityModule(ApiModel):
    eligibility_criteria: str = ""
    healthy_volunteers: bool | None = None
    sex: str | None = None
    minimum_age: str | None = None
    maximum_age: str | None = None
    std_ages: list[str] = []

    @field_validator("minimum_age", "maximum_age", mode="before")
    @classmethod
    def bare_number_is_years(cls, value: object) -> object:
        # Some reshaped records carry 35.0 where the API writes "35 Years".
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f"{value:g} Years"
        return value

    @property
    def minimum_age_years(self) -> float | None:
        return age_in_years(self.minimum_age)

    @property
    def maximum_age_years(self) -> float | None:
        return age_in_years(self.maximum_age)


class GeoPoint(ApiModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Contact(ApiModel):
    name: str = ""
    role: str | None = None
    phone: str = ""
    phone_ext: str = ""
    email: str = ""


class Location(ApiModel):
    facility: str = ""
    status: str | None = None
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = ""
    contacts: list[Contact] = []
    geo_point: GeoPoint | None = None


class ContactsLocationsModule(ApiModel):
    central_contacts: list[Contact] = []
    locations: list[Location] = []


class ProtocolSection(ApiModel):
    identification_module: IdentificationModule
    status_module: StatusModule = StatusModule()
    sponsor_collaborators_module: SponsorModule = SponsorModule()
    description_module: DescriptionModule = DescriptionModule()
    conditions_module: ConditionsModule = ConditionsModule()
    design_module: DesignModule = DesignModule()
    arms_interventions_module: ArmsInterventionsModule = ArmsInterventionsModule()
    eligibility_module: EligibilityModule = EligibilityModule()
    contacts_locations_module: ContactsLocationsModule = ContactsLocationsModule()


class Study(ApiModel):
    protocol_section: ProtocolSection

    @property
    def nct_id(self) -> str:
        return self.protocol_section.identification_module.nct_id.strip().upper()


class StudiesPage(ApiModel):
    # Studies stay plain dicts here: one malformed record must not sink its page.
    studies: list[dict[str, Any]] = []
    next_page_token: str | None = None
    total_count: int | None = None


def parse_partial_date(text: str | None) -> dt.date | None:
    """API dates are "yyyy", "yyyy-MM" or "yyyy-MM-dd"; a partial date means its first day."""
    if not text:
        return None
    parts = text.strip().split("-")
    try:
        numbers = [int(part) for part in parts]
        while len(numbers) < 3:
            numbers.append(1)
        return dt.date(*numbers[:3])
    except ValueError:
        return None


# --- HTTP client -------------------------------------------------------------


class CtGovError(Exception):
    """Something went wrong talking to ClinicalTrials.gov."""


class CtGovUnavailable(CtGovError):
    """The API could not be reached or kept failing after every retry."""


class CtGovRequestRejected(CtGovError):
    """The API refused the request (4xx); sending it again would not help."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(f"ClinicalTrials.gov rejected the request (HTTP {status}): {message}")


class _Transient(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        self.reason = reason
        self.wait = wait
        super().__init__(reason)


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _short(text: str, limit: int = 300) -> str:
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


class CtGovClient:
    """Throttled, retrying access to the API. One instance per sync run."""

    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        min_interval: float = 1.0,
        max_retries: int = 4,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.min_interval = min_interval
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self.clock = clock
        self.requests_made = 0
        self._last_request_at: float | None = None
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})

    @classmethod
    def from_settings(cls) -> CtGovClient:
        from django.conf import settings

        return cls(
            settings.CTGOV_BASE_URL,
            connect_timeout=settings.CTGOV_CONNECT_TIMEOUT,
            read_timeout=settings.CTGOV_READ_TIMEOUT,
            min_interval=settings.CTGOV_MIN_INTERVAL,
            max_retries=settings.CTGOV_MAX_RETRIES,
            backoff=settings.CTGOV_BACKOFF,
        )

    def close(self) -> None:
        self.session.close()

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        url = f"{self.base_url}/{path.lstrip('/')}"
        attempts = self.max_retries + 1
        for attempt in range(attempts):
            try:
                return self._get_once(url, params)
            except _Transient as problem:
                if attempt == attempts - 1:
                    raise CtGovUnavailable(
                        f"ClinicalTrials.gov could not be reached at {self.base_url} "
                        f"after {attempts} attempts: {problem.reason}"
                    ) from None
                wait = problem.wait if problem.wait is not None else self._backoff(attempt)
                logger.warning("ClinicalTrials.gov: %s; retrying in %.1fs", problem.reason, wait)
                self.sleep(min(wait, self.max_wait))
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        base = min(self.backoff * 2**attempt, 30.0)
        return base * random.uniform(0.75, 1.25)

    def _throttle(self) -> None:
        if self._last_request_at is not None:
            remaining = self._last_request_at + self.min_interval - self.clock()
            if remaining > 0:
                self.sleep(remaining)
        self._last_request_at = self.clock()

    def _get_once(self, url: str, params: dict[str, Any] | None) -> dict[str, Any]:
        self._throttle()
        self.requests_made += 1
        try:
            response = self.session.get(url, params=params, timeout=self.timeout)
            body = response.content
        except requests.Timeout:
            raise _Transient("the request timed out") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
            raise _Transient(f"connection failed ({type(error).__name__})") from None

        status = response.status_code
        if status == 429:
            raise _Transient("rate limited (HTTP 429)", _retry_after_seconds(response.headers.get("Retry-After")))
        if status >= 500:
            raise _Transient(f"server error (HTTP {status}): {_short(response.text, 120)}")
        if status >= 400:
            raise CtGovRequestRejected(status, _short(response.text) or response.reason or "no message")
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            # Gateways answer with HTML pages and cut-off bodies; both pass.
            raise _Transient(f"the response was not valid JSON ({_short(response.text, 80)!r})") from None
        if not isinstance(data, dict):
            raise _Transient("the response was JSON but not an object")
        return data

    def version(self) -> dict[str, Any]:
        return self.get_json("version")

    def iter_study_pages(self, params: dict[str, Any]) -> Iterator[StudiesPage]:
        """Every page of a /studies search, following nextPageToken until it is absent.

        Later requests repeat the first request's parameters, as the API requires; a
        page may hold fewer studies than asked for, or none, and paging still goes on.
        """
        first = {**params, "pageSize": MAX_PAGE_SIZE, "countTotal": "true", "format": "json"}
        following = {key: value for key, value in first.items() if key != "countTotal"}
        page = StudiesPage.model_validate(self.get_json("studies", first))
        seen_tokens: set[str] = set()
        while True:
            yield page
            token = page.next_page_token
            if not token:
                return
            if token in seen_tokens:
                raise CtGovError(f"ClinicalTrials.gov returned the page token {token!r} twice; stopping")
            seen_tokens.add(token)
            page = StudiesPage.model_validate(self.get_json("studies", {**following, "pageToken": token}))
