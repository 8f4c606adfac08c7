"""The patient profile of the screening contract (trialscreen/profile@1).

Every answer may be unknown: None, or left out. Unknown never rules a trial out.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SCHEMA = "trialscreen/profile@1"

Positivity = Literal["positive", "negative"]
GeneStatus = Literal["altered", "not_altered"]
GENES = ("BRCA1", "BRCA2", "PALB2", "PIK3CA", "ESR1", "AKT1", "PTEN")
TREATMENT_CLASSES = (
    "chemotherapy",
    "endocrine_therapy",
    "cdk4_6_inhibitor",
    "her2_targeted",
    "antibody_drug_conjugate",
    "pi3k_akt_mtor_inhibitor",
    "parp_inhibitor",
    "immunotherapy",
    "radiotherapy",
    "breast_surgery",
)
SITES = ("bone", "liver", "lung", "brain", "lymph_nodes", "skin_chest_wall", "pleura", "peritoneum", "other")


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def null_section_is_empty(cls, value: object, info) -> object:
        # Unknown may be written as null for a whole section too ({"genes": null}).
        if value is None and info.field_name in NULLABLE_SECTIONS:
            return NULLABLE_SECTIONS[info.field_name]()
        return value


class Location(Part):
    postal_code: str | None = Field(default=None, max_length=12)
    country: str | None = Field(default=None, max_length=2)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class Cancer(Part):
    stage: Literal["0", "I", "II", "III", "IV"] | None = None
    metastatic: bool | None = None
    presentation: Literal["de_novo", "recurrent"] | None = None
    unresectable_locally_advanced: bool | None = None
    sites: list[Literal[SITES]] | None = None  # type: ignore[valid-type]
    brain_metastases: Literal["none", "treated_stable", "active", "leptomeningeal"] | None = None
    measurable_disease: bool | None = None
    histology: Literal["ductal", "lobular", "other"] | None = None

    @model_validator(mode="after")
    def stage_iv_is_metastatic(self) -> Cancer:
        if self.stage == "IV" and self.metastatic is False:
            raise ValueError("stage IV means the cancer has spread (metastatic cannot be false)")
        return self

    @property
    def is_metastatic(self) -> bool | None:
        if self.metastatic is not None:
            return self.metastatic
        if self.stage == "IV":
            return True
        return None


class Biomarkers(Part):
    er: Positivity | None = None
    pr: Positivity | None = None
    her2: Literal["positive", "low", "ultralow", "zero", "negative"] | None = None
    genes: dict[Literal[GENES], GeneStatus | None] = {}  # type: ignore[valid-type]
    pd_l1: Positivity | None = None


class Lines(Part):
    total: int | None = Field(default=None, ge=0, le=30)
    chemotherapy: int | None = Field(default=None, ge=0, le=30)
    endocrine: int | None = Field(default=None, ge=0, le=30)

    @model_validator(mode="after")
    def total_covers_its_parts(self) -> Lines:
        for part in ("chemotherapy", "endocrine"):
            value = getattr(self, part)
            if self.total is not None and value is not None and value > self.total:
                raise ValueError(
                    f"the total number of lines ({self.total}) cannot be smaller than the {part} lines ({value})"
                )
        return self


class Treatment(Part):
    received: dict[Literal[TREATMENT_CLASSES], bool | None] = {}  # type: ignore[valid-type]
    agents: list[str] = []
    lines_in_metastatic_setting: Lines = Lines()
    progressed_on_last_therapy: bool | None = None

    @field_validator("agents")
    @classmethod
    def lower_case(cls, agents: list[str]) -> list[str]:
        return [agent.strip().lower() for agent in agents if agent and agent.strip()][:100]

    @model_validator(mode="after")
    def lines_need_the_treatment(self) -> Treatment:
        counts = self.lines_in_metastatic_setting
        for kind, lines in (("chemotherapy", counts.chemotherapy), ("endocrine_therapy", counts.endocrine)):
            if self.received.get(kind) is False and lines:
                raise ValueError(f"{lines} lines of {kind.replace('_', ' ')} cannot go with never having had it")
        return self


class Health(Part):
    ecog: int | None = Field(default=None, ge=0, le=4)
    karnofsky: int | None = Field(default=None, ge=0, le=100)
    pregnant_or_breastfeeding: bool | None = None
    other_cancer_last_5_years: bool | None = None
    heart_condition: bool | None = None
    lung_condition: bool | None = None
    hepatitis_b_or_c: bool | None = None
    hiv: bool | None = None
    autoimmune_disease: bool | None = None
    neuropathy: bool | None = None
    in_hospice: bool | None = None


NULLABLE_SECTIONS = {
    "genes": dict,
    "received": dict,
    "agents": list,
    "lines_in_metastatic_setting": lambda: Lines(),
    "cancer": lambda: Cancer(),
    "biomarkers": lambda: Biomarkers(),
    "treatment": lambda: Treatment(),
    "health": lambda: Health(),
}


class Profile(BaseModel):
    # Unknown extra fields are tolerated (the contract lets producers add optional ones);
    # unknown fields inside the known sections are mistakes and are refused.
    model_config = ConfigDict(extra="ignore")

    schema_: Literal["trialscreen/profile@1"] = Field(alias="schema")
    age: int | None = Field(default=None, ge=0, le=120)
    sex: Literal["female", "male"] | None = None
    location: Location | None = None
    max_travel_miles: int | None = Field(default=None, gt=0)
    cancer: Cancer = Cancer()
    biomarkers: Biomarkers = Biomarkers()
    treatment: Treatment = Treatment()
    health: Health = Health()

    @field_validator("cancer", "biomarkers", "treatment", "health", mode="before")
    @classmethod
    def null_section_is_empty(cls, value: object, info) -> object:
        if value is None:
            return NULLABLE_SECTIONS[info.field_name]()
        return value

    def to_json(self) -> dict:
        return self.model_dump(mode="json", by_alias=True, exclude_none=False)


class ProfileError(ValueError):
    """A profile that does not follow the contract; the message names every problem."""


def load_profile(data: object) -> Profile:
    if isinstance(data, dict) and data.get("schema") != SCHEMA:
        raise ProfileError(f"unknown profile schema {data.get('schema')!r}; expected {SCHEMA!r}")
    try:
        return Profile.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'profile'}: {item['msg']}" for item in error.errors()
        )
        raise ProfileError(problems) from None
