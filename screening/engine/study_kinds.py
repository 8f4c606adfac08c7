"""Kinds of study: treatment trials are what a shortlist is for; the others are kept apart,
each saying in plain words what taking part means. Read from the record's structured fields.
"""

from __future__ import annotations

TREATMENT = "treatment"

# Each kind other than treatment: its name on a card, and what taking part means.
KINDS = {
    "observational": (
        "Observational study",
        "Taking part means sharing information or samples about your care; the study gives no treatment.",
    ),
    "supportive_care": (
        "Supportive-care study",
        "It tests a way to ease symptoms or side effects, not a treatment for the cancer.",
    ),
    "screening": ("Screening study", "It tests a way of finding cancer in people not known to have it."),
    "prevention": ("Prevention study", "It tests a way to prevent cancer or its return, not to treat it."),
    "diagnostic": ("Diagnostic study", "It tests a scan or a test, not a treatment."),
    "health_services_research": (
        "Health-services study",
        "It studies how care is given; taking part usually means surveys or interviews.",
    ),
    "basic_science": ("Research study", "It studies how the body or the disease works and gives no treatment."),
    "other": ("Other study", "Read the trial's description to see what taking part means."),
}


def study_kind(study_type: str, primary_purpose: str) -> str:
    """ "treatment", or the key in KINDS of what else the study is. A record that gives no
    purpose counts as a treatment trial, so that nothing is hidden on a missing field."""
    if study_type == "OBSERVATIONAL":
        return "observational"
    purpose = primary_purpose.lower()
    if not purpose or purpose == TREATMENT:
        return TREATMENT
    return purpose if purpose in KINDS else "other"
