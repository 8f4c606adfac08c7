"""Whether a trial is for her: her disease and its setting, read from the record.

Everyone screened has breast cancer, so a trial whose record names only other cancers is not
for her, firmly, because the record says so. Anything less clear (a basket of solid tumours, a
condition that is a gene or a symptom, no conditions at all) gives no verdict: the criteria
decide, and a basket is for her unless its criteria leave breast cancer out. A record whose
conditions or titles name early disease only (adjuvant, operable, DCIS, prevention) gives the
trial an early setting, judged like a criterion: not for a cancer that has spread, a question
when she is not sure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from screening.engine.clauses import words_pattern

# Cancers other than breast cancer, by the names records use.
OTHER_CANCERS = (
    "colorectal",
    "colon",
    "rectal",
    "prostate",
    "gastric",
    "stomach",
    "esophageal",
    "oesophageal",
    "gastroesophageal",
    "pancreatic",
    "ovarian",
    "endometrial",
    "cervical",
    "lung",
    "nsclc",
    "sclc",
    "melanoma",
    "renal",
    "bladder",
    "urothelial",
    "head and neck",
    "hepatocellular",
    "thyroid",
    "lymphoma",
    "leukemia",
    "myeloma",
    "sarcoma",
    "glioma",
    "glioblastoma",
    "anal",
    "nasopharyngeal",
    "biliary",
    "cholangiocarcinoma",
    "mesothelioma",
    "neuroendocrine",
    "germ cell",
    "testicular",
    "crc",
    "hcc",
    "rcc",
    "scchn",
    "hnscc",
    "aml",
    "cml",
    "nhl",
    "pdac",
    "escc",
    "eoc",
    "cervix",
    "fallopian tube",
    "primary peritoneal",
    "gej",
    "crpc",
    "mcrpc",
    "mpm",
    "dlbcl",
    "uterine",
)
OTHER_CANCER_TYPES = re.compile(
    rf"\b{words_pattern(list(OTHER_CANCERS))}s?\b\s*(?:cancer|carcinoma|tumou?rs?|adenocarcinoma|malignan\w*)?"
)
# The same for a record's conditions, which also name cancers by organ ("Kidney Cancer").
_OTHER_CONDITION = re.compile(
    rf"{OTHER_CANCER_TYPES.pattern}|\b(?:kidney|liver|pancrea\w*|prostatic|skin|brain|gallbladder|vulvar|vaginal|penile|oral|laryngeal)\s+"
    r"(?:cancer|carcinoma|neoplasms?|tumou?rs?)|\b\w*(?:sarcoma|blastoma|leuka?emia|lymphoma)\b|\bmerkel cell\b|\bhodgkin\b"
    r"|\bmyelodysplastic\b|\bmyeloproliferative\b"
)
# What makes a condition a cancer rather than another illness of the same organ ("Renal Impairment").
_CANCER_WORD = re.compile(
    r"cancer|carcinom|neoplas|tumou?r|malignan|\w\wom(?:a|as)\b|leuka?emia|\b(?:nsclc|sclc|crc|hcc|rcc|pdac|aml|cml|cll|nhl|dlbcl|m?crpc|hnscc|scchn|escc|gej|net)\b"
)
# Any cancer: a basket or a study of cancer in general.
_ANY_CANCER = re.compile(
    r"\b(?:solid|advanced|metastatic|recurrent|refractory|malignant)\b.*\b(?:tumou?rs?|neoplasms?|cancers?|malignanc\w*)\b"
    r"|^\W*(?:cancers?|neoplasms?|tumou?rs?|malignanc\w*|carcinomas?|oncology)\W*$|\bmetasta\w*|\bany (?:solid )?tumou?r"
)
# "breast" as the disease, not "breastfeeding" or "breast milk".
_BREAST = re.compile(r"\bbreast(?![\s-]?(?:feed|fed|milk|implant|pump))|\bmammary\b|\btnbc\b|\bmbc\b")
# "Any solid tumour other than breast cancer": a basket that leaves her cancer out.
_BREAST_LEFT_OUT = re.compile(
    r"\b(?:excluding|other than|except(?: for)?|not including|with the exception of|apart from)\s+(?:\w+[\s,]+){0,4}?breast\b"
    r"|\bnon-?breast\b"
)


# A study whose every condition is being healthy is for healthy volunteers only.
_HEALTHY = re.compile(r"\bhealthy\b")
HEALTHY_VOLUNTEERS = "healthy volunteers"


@dataclass(frozen=True)
class Disease:
    """The disease the record says a trial is for, when it is not breast cancer."""

    name: str  # "renal cell carcinoma", or "cancers other than breast cancer"
    quote: str  # the record's words: "Conditions: Renal Cell Carcinoma"


def _names_breast(text: str) -> bool:
    """Breast cancer named as a disease the trial takes, not only as one it leaves out."""
    text = text.lower()
    return bool(_BREAST.search(_BREAST_LEFT_OUT.sub(" ", text)))


def names_breast_cancer(conditions: Iterable[str], titles: Iterable[str]) -> bool:
    """The record's conditions or titles name breast cancer: a trial for her disease, not only open to it."""
    return any(_names_breast(text) for text in [*conditions, *titles] if text)


# Where the inclusion criteria end: breast cancer named after this may only be a past cancer allowed.
_EXCLUSIONS_START = re.compile(r"exclusion criteria|ineligib|not eligible|will be excluded", re.IGNORECASE)


def unnamed_basket(conditions: Iterable[str], titles: Iterable[str], criteria: str) -> str:
    """The record's words when a trial that may be for her never names breast cancer, else "".

    A basket of "advanced solid tumours" may take breast cancer or may be for a few tumour
    types or a mutation breast cancer rarely has; the record does not say, so it is a question.
    """
    conditions = [condition.strip() for condition in conditions if condition.strip()]
    titles = [title for title in titles if title]
    end = _EXCLUSIONS_START.search(criteria)
    inclusion = criteria[: end.start()] if end else criteria
    if any(_names_breast(text) for text in [*conditions, *titles, inclusion]):
        return ""
    return ("Conditions: " if conditions else "Title: ") + "; ".join(conditions or titles)


def other_disease(conditions: Iterable[str], titles: Iterable[str], criteria: str) -> Disease | None:
    """The other disease a trial is for, or None when it may be for her (or the record is not clear)."""
    conditions = [condition.strip() for condition in conditions if condition.strip()]
    titles = [title for title in titles if title]
    if any(_names_breast(text) for text in [*conditions, *titles, criteria]):
        return None
    named = conditions or titles
    quote = ("Conditions: " if conditions else "Title: ") + "; ".join(named)
    if conditions and all(_HEALTHY.search(condition.lower()) for condition in conditions):
        return Disease(HEALTHY_VOLUNTEERS, quote)
    generic = [text for text in named if _ANY_CANCER.search(text.lower()) and not _OTHER_CONDITION.search(text.lower())]
    if generic:
        if _BREAST_LEFT_OUT.search(criteria.lower()):
            return Disease("cancers other than breast cancer", quote)
        return None
    others = [text for text in named if _OTHER_CONDITION.search(text.lower()) and _CANCER_WORD.search(text.lower())]
    if not others or (not conditions and len(others) < len(named)):
        return None
    # A condition names the disease itself; a title names it among other words.
    names = others if conditions else [match[0] for text in others for match in _OTHER_CONDITION.finditer(text.lower())]
    distinct = list(dict.fromkeys(name.strip().lower() for name in names))
    return Disease(" and ".join(distinct[:2]) + (" (and others)" if len(distinct) > 2 else ""), quote)


# The record names an early-disease setting: treatment around surgery, early or operable cancer,
# in-situ disease, or preventing breast cancer (not preventing a side effect).
_EARLY_SETTING = re.compile(
    r"\b(?:neo-?adjuvant|adjuvant)\b|\bearly(?:[\s-]stage)? (?:\w+[\s-]+){0,3}?breast cancer\b|\boperable\b"
    r"|\bnon-?metastatic\b|\bstage (?:0|i{1,3}|[123])[abc]?(?:\s*(?:-|to|–|or|and|,)\s*(?:i{1,3}|[123])[abc]?)* (?:\w+\s+){0,2}?breast\b"
    r"|\bductal carcinoma in situ\b|\bdcis\b"
    r"|\b(?:prevent\w*|risk[\s-]reduc\w*|chemoprevention)\b[^.;]{0,40}\bbreast cancer\b|\bbreast cancer (?:prevention|risk reduction)\b"
)
_ADVANCED_SETTING = re.compile(
    r"metasta|\badvanced\b|\bstage iv\b|\bstage 4\b|\brecurren|\bunresectable\b|\binoperable\b|\bmbc\b|\bprogress"
)


def early_setting(conditions: Iterable[str], titles: Iterable[str]) -> str:
    """The record's words, when its conditions or titles say the trial is for early breast cancer
    only (none of them names advanced disease); "" otherwise."""
    named = [text for text in [*conditions, *titles] if text and text.strip()]
    if not any(_EARLY_SETTING.search(text.lower()) for text in named):
        return ""
    if any(_ADVANCED_SETTING.search(text.lower()) for text in named):
        return ""
    return next(text.strip() for text in named if _EARLY_SETTING.search(text.lower()))
