"""Stage and spread: metastatic or early disease, measurable disease, bone-only disease, where it has spread,
de novo presentation."""

from __future__ import annotations

from screening.engine.facts import listed, register
from screening.engine.lexicon import Lexicon
from screening.engine.logic import Truth
from screening.engine.profile import Profile
from screening.engine.rules import Constraint


def disease_extent(profile: Profile) -> str | None:
    metastatic = profile.cancer.is_metastatic
    if metastatic:
        return "metastatic"
    if metastatic is False:
        if profile.cancer.stage in ("0", "I", "II"):
            # The questionnaire asks the stage now: stage 0-II cancer has not grown beyond what surgery
            # removes. It decides before the "unresectable" answer so that a "Not sure" there never
            # rules out more than an answer would.
            return "early"
        if profile.cancer.unresectable_locally_advanced:
            return "locally_advanced"
        if profile.cancer.unresectable_locally_advanced is False:
            return "early"
        return "not_metastatic"
    return None


def metastatic_disease(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> Truth:
    extent = disease_extent(profile)
    if extent is None:
        return None
    if extent == "not_metastatic":
        return None if "locally_advanced" in constraint.value else False
    return extent in constraint.value


def early_stage(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> Truth:
    cancer, op, value = profile.cancer, constraint.op, constraint.value
    metastatic = cancer.is_metastatic
    if metastatic or cancer.unresectable_locally_advanced:
        # Cancer surgery cannot remove is not early-stage, whatever stage was given: were the stage
        # to decide first, "Not sure" of it would rule out more than an answer does.
        return False
    if metastatic is False and cancer.stage in ("0", "I", "II"):
        return cancer.stage in value if op == "in" else True
    if op == "in" and cancer.stage is not None and cancer.stage != "IV":
        return cancer.stage in value
    return None if metastatic is None else True


def describe_metastatic(constraint: Constraint, lexicon: Lexicon) -> str:
    if "locally_advanced" in constraint.value:
        return "advanced breast cancer (metastatic, or locally advanced and not removable by surgery)"
    return "metastatic (stage IV) breast cancer"


def describe_early(constraint: Constraint, lexicon: Lexicon) -> str:
    if constraint.op == "in":
        return "stage " + " or ".join(constraint.value) + " cancer that has not spread to distant organs"
    return "early-stage cancer that has not spread to distant organs"


def spread_answer(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> str:
    cancer = profile.cancer
    metastatic = cancer.is_metastatic
    if metastatic is None and cancer.unresectable_locally_advanced:
        return "you said surgery cannot remove the cancer"
    if metastatic is None and cancer.stage:
        return f"you said the cancer is stage {cancer.stage}"
    if metastatic is None:
        return "you were not sure whether the cancer has spread"
    return (
        "you said the cancer has spread (metastatic)"
        if metastatic
        else "you said the cancer has not spread to distant organs"
    )


def measurable_answer(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> str:
    answer = profile.cancer.measurable_disease
    if answer is None:
        return "you were not sure whether your scans show measurable disease"
    return (
        "you said your scans show measurable disease"
        if answer
        else "you said your scans do not show measurable disease"
    )


def bone_only(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> Truth:
    sites = profile.cancer.sites
    return None if not sites else set(sites) == {"bone"}


# Where the cancer has spread, as a trial names it and as a person reads it.
SITE_WORDS = {
    "bone": "the bones",
    "liver": "the liver",
    "lung": "the lungs",
    "lymph_nodes": "the lymph nodes",
    "skin_chest_wall": "the skin or chest wall",
    "pleura": "the lining of the lungs",
    "peritoneum": "the lining of the abdomen",
}


def spread_to(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> Truth:
    """Has the cancer spread to one of the places the trial names? Her list of places is what she
    knows of; an empty list ("none known") answers nothing."""
    sites = profile.cancer.sites
    if not sites:
        return None
    return any(site in sites for site in constraint.value)


def describe_spread_to(constraint: Constraint, lexicon: Lexicon) -> str:
    return "cancer that has spread to " + listed([SITE_WORDS.get(site, site) for site in constraint.value], "or")


def spread_to_answer(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> str:
    sites = profile.cancer.sites
    if not sites:
        return "you were not sure where the cancer has spread"
    return "you said it has spread to " + listed([SITE_WORDS.get(site, site.replace("_", " ")) for site in sites])


def presentation(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> Truth:
    found = profile.cancer.presentation
    return None if found is None else found in constraint.value


register("metastatic_disease", evaluate=metastatic_disease, describe=describe_metastatic, answer=spread_answer)
register("early_stage", evaluate=early_stage, describe=describe_early, answer=spread_answer)
register(
    "measurable_disease",
    evaluate=lambda c, profile, lexicon: profile.cancer.measurable_disease,
    describe=lambda c, lexicon: "measurable disease on scans (RECIST 1.1)",
    answer=measurable_answer,
)
register(
    "bone_only_disease",
    evaluate=bone_only,
    describe=lambda c, lexicon: "cancer that has spread only to the bones",
    answer=lambda c, profile, lexicon: "from your answers",
)
register("metastatic_site", evaluate=spread_to, describe=describe_spread_to, answer=spread_to_answer)
register(
    "presentation",
    evaluate=presentation,
    describe=lambda c, lexicon: "cancer that had already spread when first diagnosed (de novo)",
    answer=lambda c, profile, lexicon: "from your answers",
)
