"""From eligibility text to rules: each criterion item becomes zero or more constraints.

Pure functions over strings and the lexicon. When a sentence cannot be read with
confidence, it yields no constraint (the study team will check it): a wrong constraint
could hide a trial a patient may qualify for, a missing one only adds a question.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from screening.criteria import EXCLUSION, INCLUSION, Item, parse, scope_of
from screening.engine.firmness import doubts
from screening.engine.lexicon import Lexicon
from screening.engine.rules import Constraint, Rule

NUMBER_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "single": "1",
}

# Order matters: longer phrases first. "or more" / "or fewer" stay words: they follow the number.
_COMPARATORS = [
    (
        r"greater than or equal to|more than or equal to|equal to or greater than|equal or greater than|equal to or more than",
        ">=",
    ),
    (
        r"less than or equal to|equal to or less than|equal or less than|no greater than|not greater than|not exceeding",
        "<=",
    ),
    (r"at least|a minimum of|minimum of|no less than|not less than|no fewer than", ">="),
    (r"no more than|not more than|up to|at most|a maximum of|maximum of|not to exceed", "<="),
    (r"greater than|more than|higher than|exceeding|older than|over the age of", ">"),
    (r"less than|fewer than|lower than|younger than|under the age of", "<"),
]


_COMPARATOR_SYMBOL = {phrase: symbol for pattern, symbol in _COMPARATORS for phrase in pattern.split("|")}
_COMPARATOR_WORDS = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, _COMPARATOR_SYMBOL), key=len, reverse=True)) + r")\b"
)
_NUMBER_WORDS = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b")


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Lower-case text with comparators and numbers in one spelling, for matching only."""
    text = text.lower()
    replacements = {
        "≥": ">=",
        "≧": ">=",
        "⩾": ">=",
        "≤": "<=",
        "≦": "<=",
        "⩽": "<=",
        "＞": ">",
        "＜": "<",
        "=<": "<=",
        "=>": ">=",
        "–": "-",
        "—": "-",
        "‐": "-",
        "−": "-",
        "’": "'",
        "×": "x",
        "ﬁ": "fi",
        "naïve": "naive",
    }
    for old, new in replacements.items():
        text = text.replace(old, new)
    text = re.sub(r"([<>])\s*or\s*=", r"\1=", text)  # "< or = 10%"
    text = re.sub(r"(?<=\d)\s*[~～]\s*(?=\d)", "-", text)  # "ECOG 0~2" is a range
    # A suspended hyphen shares the word after the last one: "ER- and/or PR-positive".
    text = re.sub(
        r"\b([a-z][a-z0-9]{1,4})-\s+(and/or|and|or)\s+([a-z][a-z0-9]{1,4})-(positive|negative)\b",
        r"\1-\4 \2 \3-\4",
        text,
    )
    # Some copies lost their comparison signs ("Age  18" for "Age >= 18"): mark the gap.
    text = re.sub(r"(?<=[a-z%)]) {2,}(?=\d)", " ~ ", text)
    text = re.sub(r"\s+", " ", text)
    text = _COMPARATOR_WORDS.sub(lambda match: f" {_COMPARATOR_SYMBOL[match[0]]} ", text)
    text = _NUMBER_WORDS.sub(lambda match: NUMBER_WORDS[match[1]], text)
    return re.sub(r" {2,}", " ", text)


NEGATED_START = re.compile(
    r"^(?:[\w\s,]{0,40}?:\s*)?(?:there (?:must|should) be )?"
    r"(?:no|not|none|never|without|absence of|free of|lack of|negative for"
    r"|(?:patients?|participants?|subjects?|women|the patient|the participant)?\s*(?:must|should|will|does|do|may|can|has|have|did)\s*(?:not|never)"
    r"|(?:has|have|had) not|not have|must not|cannot have"
    r"|(?:patients?|participants?|subjects?)?\s*(?:must |should )?(?:has|have) (?:had |received )?no"
    r"|(?:was|were|is|are|has been|have been) never"
    r"|(?:[\w-]+\s+){0,6}?(?:must|should|shall|can|will)(?: have)? not (?!be excluded)"
    r"|(?:patients?|participants?|subjects?|women|men) (?:without|with no|who have not|who did not))\b"
)
PERMISSION = re.compile(
    r"\b(?:(?:are|is|will be|may be|would be|remain|be|considered)\s+(?:also\s+)?(?:eligible(?! for (?:standard|treatment|therapy|systemic|surgery|resection|curative|endocrine|chemo\w*|her2))|allowed|permitted|included|acceptable)"
    r"|may (?:participate|enroll|be enrolled|be included)|can (?:participate|enroll|be enrolled|be included)"
    r"|(?<!not )allowed|(?<!not )permitted|acceptable|eligible if|eligible provided|eligible as long"
    r"|may (?:receive|continue|have|be treated|also|be (?:treatment[\s-])?naive|be previously|be pre-?treated|be untreated)|can (?:have|receive|continue)|(?:should|will|would) not be excluded|are not excluded|is not excluded|(?:is|are) not exclusionary"
    r"|(?:are|is|was|were) not required|not required|need not|do not need|regardless of|irrespective of"
    r"|(?:was|were) (?:also )?(?:eligible|allowed|permitted))\b"
)
_DENIAL_WORDS = (
    r"not eligible|ineligible|not allowed|not permitted|(?<!not )(?<!not be )excluded|exclusion|must not|may not"
)
DENIAL = re.compile(rf"\b(?:{_DENIAL_WORDS}|cannot)\b")
STEP_LABEL = re.compile(
    r"^\W*(?:step|part|phase|cohort|arm|module)\s*[\w.-]{1,4}\s*(?:\([^)]*\))?\s*:\s*(?:[a-z][a-z ()-]{0,30}:\s*)?"
)
# A denial inside an inclusion item, but not a test result that "cannot be confirmed".
ELIGIBILITY_DENIED = re.compile(
    rf"\b(?:{_DENIAL_WORDS})\b|\bcannot\b(?! be (?:confirmed|determined|assessed|evaluated|obtained|ruled out|treated|cured|resected|removed|operated))"
)
SOFTENER = re.compile(
    r"\b(?:unless|except|excepting|other than|with the exception of|exceptions?|excluding|apart from|provided(?: that)?|as long as|if (?:they|the patient|patients|participants|subjects|it|treated|stable))\b"
)
THERAPY_HISTORY = re.compile(
    r"\b(?:prior|previous|previously|received|receiving|receipt|treated|treatment|therapy|therapies|regimen|regimens|line|lines|chemotherapy|exposure|progress\w*|setting|administered|given)\b"
)
DISEASE_WORDS = re.compile(
    r"\b(?:breast|cancer|carcinoma|disease|adenocarcinoma|mbc|abc|tnbc|tumou?rs?|neoplasm|malignan\w*|bc)\b"
)


def _n(text: str) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


# --- one extractor per concept ------------------------------------------------------
#
# Each takes (normalised text, rule kind, negated, lexicon) and returns constraints.

Extractor = Callable[[str, str, bool, Lexicon], list[Constraint]]

ECOG = re.compile(
    r"\b(?:ecog|eastern cooperative oncology group|zubrod|who performance|who ps|(?<!karnofsky )performance status|\bps\b)"
)
KARNOFSKY = re.compile(r"\b(?:karnofsky|kps)\b")


def _scale_limit(window: str, top: int) -> tuple[str, int] | None:
    """("<=", n) or (">=", n) from the start of a window after a scale's name."""
    window = window[:80]
    open_ended = re.search(
        r"(\d{1,3})\s*%?\s*(?:or (more|higher|greater|worse|above|less|lower|fewer|better|below)|(\+))", window
    )
    if open_ended and int(open_ended[1]) <= top and not re.search(r"\d\s*(?:-|to|,)\s*" + open_ended[1], window):
        upward = open_ended[2] in ("more", "higher", "greater", "above") or open_ended[3]
        if top == 4 and open_ended[2] == "worse":
            upward = True
        return (">=" if upward else "<="), int(open_ended[1])
    comparator = re.search(r"(<=|>=|<|>|=)\s*(\d{1,3})\s*%?", window)
    listed = re.search(
        r"(?:of |score of |status of |: |is |\()?\s*(\d{1,3})\s*%?\s*(?:-|to|or|and|&|,)\s*(\d{1,3})"
        r"(?:\s*(?:,\s*(?:or|and|&)?|or|and|&)\s*(\d{1,3}))?(?:\s*(?:,\s*(?:or|and|&)?|or|and|&)\s*(\d{1,3}))?",
        window,
    )
    single = re.search(r"(?:of|:|is|=)\s*(\d{1,3})\b(?!\s*(?:-|to|or|,|and|days|weeks|months|years|%\s*of))", window)
    candidates = []
    if comparator:
        candidates.append((comparator.start(), "cmp", comparator))
    if listed:
        candidates.append((listed.start(), "list", listed))
    if single:
        candidates.append((single.start(), "single", single))
    if not candidates:
        return None
    _, how, match = min(candidates, key=lambda item: item[0])
    if how == "cmp":
        symbol, number = match[1], int(match[2])
        if number > top:
            return None
        range_end = re.match(r"\s*(?:-|to)\s*(\d{1,3})\b", window[match.end() :])
        if symbol in ("<=", "<", "=") and range_end and int(range_end[1]) <= top:
            return "range", int(range_end[1])  # "ECOG <=0-2" is the range 0 to 2
        if symbol == "<":
            return "<=", number - 1
        if symbol == ">":
            return ">=", number + 1
        if symbol == "=":
            return "==", number
        return symbol, number
    if how == "list":
        numbers = [int(group) for group in match.groups() if group is not None]
        if max(numbers) > top:
            return None
        if max(numbers) == top and min(numbers) > 0:
            # "ECOG 2, 3 or 4" lists the worse end of the scale: from its lowest value up.
            return ">=", min(numbers)
        return "range", max(numbers)
    number = int(match[1])
    if number > top:
        return None
    return "==", number


def extract_performance(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    ecog_match = ECOG.search(text)
    kps_match = KARNOFSKY.search(text)
    if not ecog_match and not kps_match:
        return []
    value: dict[str, int] = {}
    op = "within"
    if ecog_match:
        after = text[ecog_match.end() :]
        stop = KARNOFSKY.search(after)
        limit = _scale_limit(after[: stop.start()] if stop else after, 4)
        if limit:
            symbol, number = limit
            if symbol in ("<=", "range") or (symbol == "==" and number <= 1 and "or" not in after[:20]):
                value["ecog"] = number
            elif symbol == ">=":
                op = "beyond"
                value["ecog"] = number - 1
    if kps_match:
        after = text[kps_match.end() :]
        limit = _scale_limit(after, 100)
        if limit:
            symbol, number = limit
            if symbol in (">=", "range") or (symbol == "==" and number >= 50):
                if symbol == "range":
                    low = re.search(r"(\d{2,3})\s*%?\s*(?:-|to)\s*100", after[:40])
                    if not low:
                        return _performance(value, op)
                    number = int(low[1])
                if op == "within":
                    value["karnofsky"] = number
            elif symbol == "<=" and op in ("within", "beyond"):
                op = "beyond"
                value["karnofsky"] = number + 1
    return _performance(value, op)


def _performance(value: dict[str, int], op: str) -> list[Constraint]:
    if not value:
        return []
    if op == "beyond" and "ecog" in value and value["ecog"] < 0:
        return []
    return [Constraint("ecog", op, tuple(sorted(value.items())))]


PREGNANT = re.compile(r"\b(?:pregnant|breast[\s-]?feeding|lactating|nursing|lactation)\b")
PREGNANCY_NOUN = re.compile(r"^(?:\W*)(?:(?:concurrent|current|ongoing|known|active)\s+)?(?:pregnancy|lactation)\b")


def extract_pregnancy(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    if kind == INCLUSION and not negated:
        if re.search(
            r"negative (?:[\w/()-]+ ){0,3}?pregnancy\b|non-?pregnant|not (?:be )?pregnant|not breast[\s-]?feeding"
            r"|negative (?:[\w/()-]+ ){0,2}?(?:beta[\s-]?)?(?:human chorionic gonadotropin|[ßβb]?-?hcg)\b",
            text,
        ):
            return [Constraint("pregnancy", "is", False)]
        return []
    if kind == INCLUSION and negated and not PREGNANT.search(text):
        return []
    if re.match(r"\W*(?:male|men)\b", text) and re.search(r"\bpartners?\b", text):
        return []  # a male participant's pregnant partner: contraception, for the study team
    if re.search(r"\b(?:get|gets|getting|become|becoming|father)\w* (?:a child|pregnant)", text) and not re.search(
        r"\b(?:are|is|currently|already) pregnant\b|^\W*pregnan", text
    ):
        return []  # about becoming pregnant during the study: contraception, for the study team
    if PREGNANT.search(text) or PREGNANCY_NOUN.search(text):
        if (
            re.search(r"\b(?:plan|planning|intend|intending|expect|wish)\w* to (?:become|get) pregnant", text)
            and not re.search(r"\b(?:are|is|currently) pregnant", text)
            and not re.match(r"^\W*(?:pregnan|breast|lactat|nursing)", text)
        ):
            return []
        return [Constraint("pregnancy", "is", True)]
    return []


BRAIN = re.compile(
    r"(?<!non-)(?<!non )\b(?:brain|intracranial|cerebral|parenchymal)\b[\w\s,()/-]{0,40}?\b(?:metasta\w*|mets|lesions?|involvement|spread)\b"
    r"|(?<!non-)(?<!non )\b(?:cns|central nervous system)\b[\w\s,()/-]{0,40}?\b(?:metasta\w*|mets|lesions?|disease|involvement|spread)\b"
    r"|\bmetasta\w* (?:to|in|of) the (?:brain|central nervous system|cns)\b|\bbrain mets\b|\b(?:intracranial|brain|cns|central nervous system)(?: parenchymal)? (?:disease )?progression\b"
)
LEPTO = re.compile(
    r"\b(?:leptomeningeal|carcinomatous meningitis|meningeal carcinomatosis|neoplastic meningitis|meningeal metasta\w*)\b"
    r"|\bbrain or meningeal metasta\w*"
)
ACTIVE_BRAIN = re.compile(
    r"\b(?:untreated|active|symptomatic|progressive|progressing|progression|unstable|uncontrolled|new|newly|growing|intact|not (?:been )?(?:adequately |previously )?treated|requir\w* (?:immediate |urgent |local )*(?:steroids?|corticosteroids?|treatment|therapy|radiation|intervention)|require (?:immediate )?(?:local )?(?:therapy|treatment))\b"
)
TREATED_STABLE = re.compile(r"\b(?:treated|stable|stability|asymptomatic|irradiated|radiated|resected)\b")


def extract_brain(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    text = re.sub(r"\bnon[\s-](?:central nervous system|cns)(?:\s*\(cns\))?", "extracranial", text)
    brain = BRAIN.search(text)
    lepto = LEPTO.search(text)
    if not brain and not lepto:
        return []
    if re.search(
        r"\b(?:brain mri|mri of the brain|ct of the (?:head|brain)|brain imaging|head ct|brain (?:ct|scan))\b", text
    ) and not re.search(r"\b(?:known|history|presence|evidence of|with)\b", text):
        return []
    excludes = (kind == EXCLUSION) != negated
    permission = bool(PERMISSION.search(text)) and not DENIAL.search(text[: (brain or lepto).start()])
    # "Patients with treated, stable brain metastases are eligible" grants; "Brain metastases.
    # Patients whose metastases are treated are eligible" excludes the rest.
    mention = (brain or lepto).start()
    opening = text[text.rfind(". ", 0, mention) + 1 :].split(". ", 1)[0]
    states: set[str] = set()
    if brain:
        if excludes:
            if (
                permission
                and PERMISSION.search(opening)
                and kind == EXCLUSION
                and not negated
                and not re.match(
                    r"^\W*(?:(?:has|have|had|with|patients?|participants?|subjects?)\s+(?:with\s+|has\s+|have\s+)?)?(?:a\s+)?(?:known|active|untreated|symptomatic|presence|history|evidence)",
                    text,
                )
            ):
                states = set()
            elif ACTIVE_BRAIN.search(text) or (SOFTENER.search(text) and TREATED_STABLE.search(text)) or permission:
                states = {"active"}
            else:
                states = {"active", "treated_stable"}
        else:
            if permission or re.search(r"\b(?:if|must be|should be|provided|not needing|not requiring)\b", text):
                return []
            if not re.match(
                r"^\W*(?:(?:in|for) (?:phase|part|cohort|arm|stage) [\w.-]+(?: only)?,?\s*)?(?:(?:patients?|participants?|subjects?)\s+)?(?:must\s+)?(?:have|has|with|presence of|documented|known|evidence of|radiographic\w*|(?:clinical (?:and |or |and/or |and or )?)?radiolog\w*|measurable|at least (?:one|1)|confirmed|diagnos\w*|new|progressive|active)\b",
                text,
            ):
                return []  # a trial for brain metastases says so plainly; other mentions are conditions
            states = (
                {"active"}
                if ACTIVE_BRAIN.search(text) and not TREATED_STABLE.search(text)
                else {"active", "treated_stable"}
            )
            if TREATED_STABLE.search(text) and not ACTIVE_BRAIN.search(text):
                states = {"treated_stable"}
    if lepto:
        lepto_permitted = re.search(r"leptomeningeal[^.;]{0,60}\b(?:are|is) (?:eligible|allowed|permitted)", text)
        if (
            excludes
            and not lepto_permitted
            or not excludes
            and not brain
            and not re.search(r"\b(?:if|allowed|eligible)\b", text)
        ):
            states.add("leptomeningeal")
    if not states:
        return []
    return [Constraint("brain_metastases", "in", tuple(sorted(states)))]


OTHER_CANCER = re.compile(
    r"\b(?:other|another|second|prior|previous|concurrent|concomitant|additional|separate|secondary|active|invasive|history of)\s+(?:[\w/-]+,?\s+){0,2}?(?:actively treated\s+)?(?:primary\s+)?(?:malignan\w*|cancers?|carcinomas?|tumou?rs?|neoplasms?)\b"
    # "prior systemic cancer therapy", "cancer-associated chemotherapy" name treatments
    r"(?!-|\s+(?:therapy|therapies|treatments?|drugs?|agents?|regimens?|care)\b)"
    r"|\bmalignan\w*(?: disease)?,? (?:other than|except|besides)\b|\bsecond primary\b|\bmultiple primary\b|\bhistory of (?:any )?(?:other )?malignan"
)


def extract_other_cancer(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    # "... except hormonal prophylaxis for a prior malignancy" names a treatment's purpose, not a history.
    match = next(
        (
            found
            for found in OTHER_CANCER.finditer(text)
            if not re.search(r"\bexcept\b[^.;()]{0,60}\bfor (?:an?|the)\s*$", text[: found.start()])
        ),
        None,
    )
    if not match:
        return []
    if re.search(
        r"\b(?:participat\w* in|another (?:clinical )?(?:study|trial)|hematologic\w*|haematologic\w*)\b", text
    ):
        return []  # other studies, or blood cancers: for the study team
    # "Prior or concurrent malignancy whose natural history could interfere ...": whether hers
    # does is the study team's judgement, so it is asked, not settled.
    judged = bool(re.search(r"\b(?:interfere\w*|in the opinion|judg(?:e)?ment)\b", text))
    if re.search(r"\bbreast\b", match[0]) and not re.search(r"\bother\b|\banother\b|\bsecond\b", match[0]):
        return []
    carved = re.search(r"\bexceptions?\b|\bexcept\b|\bexcluding\b|\bother than\b", text)
    stated = text[: carved.start()] if carved else text
    if re.search(r"\b(?:residual|ductal carcinoma in situ|dcis|ipsilateral|contralateral)\b", stated) and not re.search(
        r"\b(?:other|another|second|additional)\b", stated
    ):
        return []  # the breast cancer itself (what is left after surgery, or in situ disease), not another one
    if re.search(r"(?:prior|previous|history of)\s+(?:\w+\s+)?(?:breast )?cancers?\b", match[0]) and not re.search(
        r"\b(?:other|another|second|additional|malignan)", text
    ):
        return []
    excludes = (kind == EXCLUSION) != negated
    if not excludes:
        return []
    exception = re.search(r"\bexceptions?\b|\bexcept\b", text)
    stated = text[: exception.start()] if exception else text
    # "... that is progressing or requires active treatment; exceptions include those inactive
    # for 3 years": the years belong to the exceptions.
    active = re.search(r"\b(?:progressing|requir\w* (?:active )?treatment|active)\b", stated)
    window = _other_cancer_window(stated if exception and active else text)
    ever = re.search(
        r"\b(?:prior|previous|history of)\s*(?:or|and/or|/)\s*(?:concurrent|concomitant|current|active)\b"
        r"|\b(?:concurrent|concomitant|current|active)\s+(?:active\s+)?(?:or|and/or|/)\s*(?:prior|previous|past)\b",
        text,
    )
    if (
        window is None
        and not ever
        and (
            active or re.search(r"\b(?:active|concurrent|concomitant|current|currently)\b", match[0] + " " + text[:40])
        )
    ):
        window = 0
    specific = (
        judged
        or bool(SOFTENER.search(text))
        or bool(re.search(r"\b(?:requir\w*|need\w*|undergoing) (?:active )?(?:treatment|therapy)\b", text))
    )
    return [Constraint("other_malignancy", "within_years", window, specific=specific)]


def _other_cancer_window(text: str) -> int | None:
    """How many years back another cancer counts, when the text says ("within 24 months" is 2)."""
    months = re.search(
        r"(?:within|in|during|for|of)(?: the)? (?:(?:past|last|previous|preceding|prior)\s+)?(?:<=|<)?\s*(\d{1,3})\s*months?\b",
        text,
    )
    if months and int(months[1]) >= 12:
        return -(-int(months[1]) // 12)
    years = re.search(
        r"(?:within|in|during|for|of)(?: the)? (?:(?:past|last|previous|preceding|prior)\s+)?(?:<=|<|>=|>)?\s*(\d{1,2})\s*(?:\(\d+\)\s*)?(?:years?|yrs?)\b",
        text,
    )
    years = years or re.search(
        r"(\d{1,2})\s*(?:years?|yrs?)\s*(?:prior|before|preceding|of (?:study|enrol|random|registration|screening))",
        text,
    )
    years = years or re.search(
        r"(?:disease[\s-]free|no evidence of disease|remission|ned)\w*\s*(?:for\s*)?(?:>=|>|<=)?\s*(\d{1,2})\s*years?",
        text,
    )
    return int(years[1]) if years else None


HEART_BROAD = re.compile(
    r"\b(?:(?:clinically )?significant|serious|severe|uncontrolled|unstable|active|history of|known)\s+(?:[\w,/]+\s+){0,5}?(?:cardiac|cardiovascular|heart),?\s+(?:(?:[\w/-]+,\s+){0,3}(?:or|and|and/or)\s+(?:[\w,/]+\s+){0,3}?)?(?:disease|disorders?|conditions?|illness|dysfunction|impairment|abnormalit(?:y|ies))"
)
HEART_SPECIFIC = re.compile(
    r"\b(?:heart failure|cardiac failure|myocardial infarction|heart attack|unstable angina|angina|nyha|new york heart association|arrhythmi\w*|cardiomyopathy|myocarditis|coronary|congestive|atrial fibrillation|(?:coronary|cardiac|heart)[\w\s-]{0,20}?(?:bypass|stent\w*)|cabg|valvular|endocarditis|pericarditis|aortic stenosis|long qt|congenital (?:long )?qt\w*(?: prolongation)?|(?:abnormalities|abnormality) (?:in|of) (?:cardiac )?rhythm)\b"
)
HEART_LAB_ONLY = re.compile(
    r"\b(?:lvef|ejection fraction|qtc\w*|qt interval|ecg|electrocardiogram|echocardiogram|muga)\b"
)


def is_catch_all(text: str) -> bool:
    """A catch-all with examples ("severe systemic disease, e.g. cardiac or pulmonary"): the investigator judges it."""
    return bool(
        re.search(r"\b(?:medical|psychiatric|systemic) (?:conditions?|illness\w*|disease)\b", text)
        and re.search(r"\be\.?g\.?|\bsuch as\b|\bincluding\b|\bfor example\b", text)
    )


def only_as_example(pattern: re.Pattern[str], text: str) -> bool:
    """Whether the concept is named only among the examples of something else.

    "Active infection or a high risk of it (e.g. uncontrolled heart disease)" is about infection.
    """
    outside = re.sub(r"\((?:e\.?g\.?|such as|for example|including)\b[^)]*\)", " ", text)
    # "Uncontrolled diseases (e.g. heart failure)" names its subject only through the examples.
    generic_subject = re.search(r"\b(?:diseases?|disorders?|illness\w*|conditions?)\b", outside)
    return outside != text and not generic_subject and not pattern.search(outside)


def extract_heart(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    if (kind == EXCLUSION) == negated:
        return []
    if is_catch_all(text):
        # "Uncontrolled illness including symptomatic heart failure": the named condition counts,
        # but only as the trial words it, so a "yes" raises a question rather than ruling out.
        return [Constraint("heart_condition", "is", True, specific=True)] if HEART_SPECIFIC.search(text) else []
    if only_as_example(HEART_BROAD, text) and only_as_example(HEART_SPECIFIC, text):
        return []
    broad = HEART_BROAD.search(text)
    specific = HEART_SPECIFIC.search(text)
    if not broad and not specific:
        return []
    if (
        re.search(r"\b(?:hypertension|blood pressure)\b", text)
        and not broad
        and not re.search(r"heart failure|infarction|angina|arrhythm", text)
    ):
        return []
    return [Constraint("heart_condition", "is", True, specific=not broad or bool(re.search(r"\bwithin\b", text)))]


LUNG = re.compile(
    r"\b(?:interstitial lung disease|ild|pneumonitis|pulmonary fibrosis|interstitial pneumonia|asthma|copd|chronic obstructive|emphysema|respiratory failure|pulmonary o?edema|pulmonary hypertension"
    r"|(?:oxygen|o2)[\s-]dependen\w*|dependen\w* on (?:supplemental |home )?oxygen|(?:supplemental|home|continuous) oxygen|(?:impaired|poor|reduced) (?:lung|pulmonary) function"
    r"|(?:significant|severe|serious|uncontrolled|chronic|active|intercurrent)\s+(?:[\w,/-]+\s+){0,4}?(?:lung|pulmonary|respiratory)\b[\w\s,/-]{0,40}?\b(?:disease|disorders?|conditions?|illness(?:es)?|dysfunction|impairment|compromise)"
    r"|(?:lung|pulmonary)[\s-]specific\s+(?:[\w-]+\s+){0,4}?(?:illness(?:es)?|disease|conditions?))\b"
)


def extract_lung(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    if (kind == EXCLUSION) == negated:
        return []
    if is_catch_all(text):
        named = re.search(r"\b(?:interstitial lung disease|ild|pneumonitis|pulmonary fibrosis)\b", text)
        return [Constraint("lung_condition", "is", True, specific=True)] if named else []
    if WASHOUT.search(text) and re.search(r"\b(?:radiotherapy|radiation therapy|radiation)\b", text[:60]):
        return []  # "prior radiotherapy within 2 weeks ... radiation pneumonitis": a wait after radiation
    match = LUNG.search(text)
    if not match:
        return []
    if re.search(r"\b(?:lung|pulmonary) (?:metasta|lesion)", text) and not re.search(r"ild|pneumonitis|fibrosis", text):
        return []
    broad = re.search(
        r"(?:significant|severe|serious|uncontrolled)\s+(?:[\w,/]+\s+){0,4}?(?:lung|pulmonary|respiratory)", match[0]
    )
    # The profile asks whether she has ever had pneumonitis or ILD: that settles "a history of
    # pneumonitis", not "current" or "steroid-requiring" pneumonitis, nor asthma or COPD.
    plain_inflammation = (
        re.fullmatch(r"interstitial lung disease|ild|pneumonitis|pulmonary fibrosis|interstitial pneumonia", match[0])
        and re.search(r"\b(?:history|prior|previous|previously|known|ever|pre-?existing|diagnosis|any cause)\b", text)
    ) and not re.search(
        r"\b(?:requir\w*|steroids?|corticosteroids?|active|current\w*|symptomatic|uncontrolled|ongoing|grade|within|suspected|cannot be ruled out|oxygen)\b",
        text,
    )
    return [Constraint("lung_condition", "is", True, specific=not broad and not plain_inflammation)]


HEPATITIS = re.compile(r"\b(?:hepatitis\s*(?:b|c|b and c|b or c|b and/or c|b/c)|hbv|hcv|hbsag|hepatitis b surface)\b")


def extract_hepatitis(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    match = HEPATITIS.search(text)
    if not match:
        return []
    excludes = (kind == EXCLUSION) != negated
    if kind == INCLUSION and not negated and re.search(r"\bnegative\b|\bseronegative\b|\bnon-?reactive\b", text):
        return [Constraint("hepatitis", "is", False, specific=True)]
    if not excludes:
        return []
    specific = bool(
        re.search(
            r"\b(?:active|acute|chronic|uncontrolled|detectable|viral load|replicat\w*|dna|rna|untreated|positive (?:test|serology))\b",
            text,
        )
        or PERMISSION.search(text)
        or SOFTENER.search(text)
    )
    return [Constraint("hepatitis", "is", True, specific=specific)]


HIV = re.compile(r"\b(?:hiv|human immunodeficiency virus|aids)\b")


def extract_hiv(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    mentions = list(HIV.finditer(text))
    if not mentions:
        return []
    if all(
        re.match(
            r"[\s-]*(?:infected|positive)?\s*(?:patients?|participants?|subjects?)?\s*(?:should|will|must|may) be (?:monitored|followed)",
            text[found.end() :],
        )
        for found in mentions
    ):
        return []  # "HIV-infected patients should be monitored every 12 weeks": care for those allowed in
    if all(
        re.search(r"\b(?:due to|caused by|secondary to|from)\b[^.;]{0,30}$", text[: found.start()])
        for found in mentions
    ):
        return []  # "neuropathy, e.g. due to diabetes, HIV, ..." names a cause of something else
    excludes = (kind == EXCLUSION) != negated
    if kind == INCLUSION and not negated and re.search(r"\bnegative\b|\bseronegative\b", text):
        return [Constraint("hiv", "is", False)]
    if not excludes:
        return []
    specific = bool(
        re.search(
            r"\b(?:uncontrolled|detectable|viral load|cd4|aids[\s-]defining|active|untreated|opportunistic|kaposi\w*|castleman\w*)\b",
            text,
        )
        or PERMISSION.search(text)
        or SOFTENER.search(text)
        # AIDS alone is the late stage of HIV infection: someone living with HIV may not have it.
        or not re.search(r"\b(?:hiv|human immunodeficiency virus)\b", text)
    )
    return [Constraint("hiv", "is", True, specific=specific)]


AUTOIMMUNE = re.compile(
    r"\b(?<!non-)(?<!non )auto[\s-]?immune\b|\bconnective tissue diseases?\b|\bimmune[\s-]mediated (?:disease|disorder|condition)s?\b"
    r"|\bconnective tissue disorders?\b|\binflammatory bowel disease\b|\bcrohn'?s\b|\bulcerative colitis\b"
)


def extract_autoimmune(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    if not AUTOIMMUNE.search(text) or (kind == EXCLUSION) == negated:
        return []
    if re.search(
        r"\bswallow\w*|\b(?:mal)?absorption\b|\bgastrointestinal (?:function|tract)\b", text
    ) and not re.search(r"\bauto[\s-]?immune\b|\bconnective tissue\b", text):
        return []  # bowel disease named as a reason tablets may not be absorbed
    if re.search(r"autoimmune hepatitis", text) and not re.search(r"autoimmune disease", text):
        return []
    specific = bool(
        re.search(
            r"\b(?:active|requir\w*|systemic (?:treatment|therapy)|immunosuppress\w*|within|past \d|last \d|uncontrolled)\b",
            text,
        )
        or SOFTENER.search(text)
        or PERMISSION.search(text)
        # Crohn's disease or colitis alone is one autoimmune disease among many: ask which she has.
        or not re.search(r"\bauto[\s-]?immune\b|\bimmune[\s-]mediated\b|\bconnective tissue\b", text)
        # "radiotherapy contraindicated for medical reasons (e.g. connective tissue disorder)"
        or only_as_example(AUTOIMMUNE, text)
    )
    return [Constraint("autoimmune_disease", "is", True, specific=specific)]


def extract_hospice(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    if "hospice" in text and (kind == EXCLUSION) != negated:
        return [Constraint("hospice", "is", True)]
    return []


def extract_neuropathy(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    if (kind == EXCLUSION) == negated:
        return []
    # "Unresolved toxicity (except grade 2 neuropathy)", "Stable grade 2 neuropathy is allowed":
    # neuropathy named as what is let through does not exclude.
    exception = EXCEPTIONS.search(text)
    stated = text[: exception.start()] if exception else text
    if not any(
        re.search(r"\bneuropath\w*", part) and not PERMISSION.search(part) for part in re.split(r"\.\s+", stated)
    ):
        return []
    return [Constraint("neuropathy", "is", True, specific=True)]


METASTATIC = re.compile(
    r"\b(?:metastatic|stage iv|stage 4|mbc|m1|metastasi[sz]ed|distant metasta\w*|distant recurrence|distant disease)\b"
)
ADVANCED = re.compile(
    r"\b(?:locally advanced|locally-advanced|advanced|abc|unresectable|inoperable|incurable|non-?resectable|not amenable to|not (?:a )?candidates? for (?:curative|surgical)|locoregional(?:ly)? recurren\w*|local(?:ly)? recurrent)\b"
    # "recurrent or metastatic", "relapsed/metastatic": a recurrence may be local
    r"|\b(?:relapsed|recurrent)\s*(?:/|or|and/or|,)\s*(?=metastatic|advanced)|\bmetastatic\s*(?:/|or|and/or|,)\s*(?:relapsed|recurrent)\b"
)
EARLY = re.compile(
    r"\b(?:early[\s-]?stage|early breast cancer|(?<!non-)(?<!non )operable|non-?metastatic|no evidence of (?:distant )?metasta\w*|no (?:distant )?metasta\w*|without (?:distant )?metasta\w*|m0|curative[\s-]intent|candidates? for (?:definitive |curative )?(?:surgery|resection)|scheduled for (?:definitive )?surgery|prior to (?:definitive )?surgery|before (?:definitive )?surgery|neoadjuvant|pre-?operative|(?:willing|eligible|able|scheduled|planned|plan|appropriate|suitable|candidates?) (?:to undergo|for) (?:definitive |primary |breast )?(?:surgery|surgical resection|lumpectomy|mastectomy)|surgical removal of all|breast[\s-]conserving surgery)\b"
    r"|\bc?t[0-4][a-d]?\s*c?n[0-3][a-c]?\s*c?m0\b"
    r"|\bstage (?:0|i{1,3}|1|2|3)[abc]?(?:\s*(?:-|to|or|and|,)\s*(?:i{1,3}|1|2|3)[abc]?)*\b(?!\s*(?:-|to|or|and|,)\s*(?:iv|4))"
)
SITE_WORDS = r"(?:brain|cns|bone|liver|hepatic|lung|pulmonary|leptomeningeal|spinal|visceral|nodal|skin|lymph node|osseous|ovarian|heart|cardiac|eye|ocular|orbital|adrenal|peritoneal|pleural)"
SITE_METASTASES = re.compile(
    rf"\b{SITE_WORDS}\s+(?:\w+\s+)?metasta"
    # "Metastatic lesion to the heart or eye": spread to one place, named after the word.
    rf"|\bmetasta\w*\s+(?:lesions?\s+|deposits?\s+|disease\s+|involvement\s+)?(?:to|in|of|involving|within)\s+(?:the\s+)?{SITE_WORDS}\b"
)
_SITE_BEFORE = re.compile(rf"\b{SITE_WORDS}\s*$")
_SITE_AFTER = re.compile(rf"^\s+(?:to|in|of|involving|within)\s+(?:the\s+)?{SITE_WORDS}\b")


def whole_metastatic_disease(text: str) -> bool:
    """Metastatic disease named for itself, not for one site ("brain metastatic disease" names a site)."""
    return any(
        not _SITE_BEFORE.search(text[: found.start()]) and not _SITE_AFTER.match(text[found.end() :])
        for found in re.finditer(r"\b(?:distant metasta\w*|metastatic disease)\b", text)
    )


CURABLE = re.compile(
    r"\b(?:amenable|candidates?|eligible|suitable|appropriate)\b[^.;]{0,35}\b(?:curative|curable|definitive (?:surgery|resection|local))|\bcurable\b"
)
STAGE_THREE_OR_FOUR = re.compile(r"\bstages?\s*(?:iii|3)[abc]?\s*(?:/|-|to|or|and|,)\s*(?:stage\s*)?(?:iv|4)\b")


def extract_stage(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    excludes = (kind == EXCLUSION) != negated
    history = re.search(
        r"\b(?:prior|previous|previously|received|receiving|completed|completion|between|interval|after|following|since|within|relapse\w*|recurr\w* (?:after|during|within|on)|undergone|underwent|status post|treated by)\b",
        text,
    )
    metastatic = METASTATIC.search(text)
    advanced = ADVANCED.search(text)
    early = EARLY.search(text)
    if early and re.search(r"\b(?:not|no|non|cannot)\b[^.;]{0,70}$", text[: early.start()]):
        early = None  # "not amenable to treatment with curative intent" is the opposite of early-stage
    if early and re.search(r"\((?:a|an|the) [^()]*$", text[: early.start()]):
        early = None  # "MammaPrint (a genomic test ... in early-stage breast cancer)" describes the test
    found: list[Constraint] = []
    requires = kind == INCLUSION and not negated
    outside = _disease_named_outside_therapy(text) if requires and (metastatic or advanced) else None
    if requires and not history and STAGE_THREE_OR_FOUR.search(text):
        return [Constraint("metastatic_disease", "in", ("locally_advanced", "metastatic"))]
    if requires:
        if (
            early
            and not metastatic
            and not advanced
            and not history
            and not re.search(
                r"\b(?:stage\s*(?:iv|4)|iv|m1)\b|\bstage\s*\w+\s*(?:or|and)\s*(?:higher|greater|above|more)\b", text
            )
        ):
            if not re.search(r"\b(?:adjuvant|neoadjuvant)\b", early[0]) or re.search(
                r"\b(?:candidate|eligible|scheduled|planned|undergo|receive|for)\b", text
            ):
                stages = stages_named(text)
                found.append(
                    Constraint("early_stage", "in", stages) if stages else Constraint("early_stage", "is", True)
                )
        elif metastatic and re.search(
            r"\b(?:no|without|absence of|free of|non)\b[\w\s-]{0,25}$", text[: metastatic.start()]
        ):
            found.append(Constraint("early_stage", "is", True))
        elif (
            (metastatic or advanced)
            and (DISEASE_WORDS.search(text) or len(text) < 60)
            and not early
            and not re.search(
                r"work[\s-]?up|\b(?:scan|imaging|staging studies)\b|\bprogression (?:within|during) (?:the first )?\d",
                text,
            )
            and (outside or not LINES_NUMBER.search(text))
        ):
            therapy_context = outside is None
            named = outside or metastatic or advanced
            # "Tissue from a metastatic lesion or the primary tumour" asks for a sample, not for spread.
            sample = re.search(
                r"\b(?:tissue|specimens?|samples?|archiv\w*|obtained from|biops\w* (?:of|from)|primary or metastatic|metastatic or primary)\b",
                text[max(0, named.start() - 40) : named.end() + 40],
            ) or re.search(r"\b(?:biopsy|lesion|site)\b", text[named.start() : named.end() + 25])
            if not therapy_context and not sample:
                if not re.search(r"\bstage\s*(?:i{1,3}|[123])[abc]?\b(?!\s*v)", text):
                    allowed = ("locally_advanced", "metastatic") if advanced else ("metastatic",)
                    found.append(Constraint("metastatic_disease", "in", allowed))
    elif (
        excludes
        and CURABLE.search(text)
        and not re.search(r"\b(?:not|no|non|un)\b[^.;]{0,30}$", text[: CURABLE.search(text).start()])
    ):
        # "Disease amenable to treatment with curative intent": a trial for incurable disease.
        found.append(Constraint("early_stage", "is", True))
    elif excludes:
        qualified = re.search(
            r"\b(?:uncontrolled|symptomatic|rapidly progress\w*|visceral crisis|life[\s-]threatening|impending|untreated|progressive"
            r"|inability|unable|lack of|proof|confirmation|documentation|biopsy|histolog\w*|cytolog\w*)\b",
            # Only words near the metastatic disease qualify it ("distant metastatic disease, including
            # symptomatic CNS metastases" excludes any distant spread).
            text[: metastatic.end() + 30] if metastatic else text,
        )
        another_cancer = OTHER_CANCER.search(text) or re.search(
            r"\bcancer within \d+ years\b|\bwithin \d+ years\b", text
        )
        if (
            metastatic
            and not qualified
            and not another_cancer
            # "skin-only metastatic disease" excludes one pattern of spread, not metastatic disease
            and not re.search(r"\b[\w-]+[\s-]only\s*$", text[: metastatic.start()])
            and (not SITE_METASTASES.search(text) or whole_metastatic_disease(text))
            and not history
            and not THERAPY_HISTORY.search(text)
        ):
            if re.search(
                r"^\W*(?:evidence of |presence of |known |patients with |has |have |with )?(?:distant |metastatic|stage iv|stage 4|m1)",
                text,
            ) or re.search(r"\b(?:distant metasta\w*|metastatic (?:breast )?(?:cancer|disease|carcinoma))\b", text):
                found.append(Constraint("metastatic_disease", "in", ("metastatic",)))
    return found


def _disease_named_outside_therapy(text: str) -> re.Match[str] | None:
    """The first mention of advanced or metastatic disease that is not where a therapy was given
    ("HR+/HER2- aBC with progression ... for metastatic disease" names the disease first)."""
    for match in sorted([*METASTATIC.finditer(text), *ADVANCED.finditer(text)], key=lambda found: found.start()):
        before = re.sub(r"\([^()]*\)", " ", text[max(0, match.start() - 90) : match.start()])
        if not re.search(
            r"\b(?:therapy|therapies|treatments?|chemotherapy|regimens?|regimes?|lines?|setting|inhibitors?|agents?|drugs?)\b[^.;]{0,35}\b(?:for|in)\b"
            r"(?:(?!\b(?:with|who|that|patients?|participants?|has|have)\b)[^.;]){0,40}$",
            before,
        ):
            return match
    return None


ROMAN = {"0": "0", "i": "I", "ii": "II", "iii": "III", "1": "I", "2": "II", "3": "III"}


def stages_named(text: str) -> tuple[str, ...]:
    """The anatomic stages an early-stage criterion names: "stage IIB-IIIC" -> ("II", "III").

    Everything that looks like a stage in the words after "stage" counts, so a list broken
    by a bracket ("Stage I (T1N0M0), IIA (T2N0M0)") loses none of its stages.
    """
    start = re.search(r"\bstages?\s*(?=(?:0|i{1,3}|[123])[abc]?\b)", text)
    if not start:
        return ()
    window = re.sub(r"\([^)]*\)", " ", text[start.end() : start.end() + 80])
    window = re.split(r"[.;]|\b(?:with|and no|without|who|that|breast|invasive|carcinoma|cancer|disease)\b", window)[0]
    tokens = re.findall(r"\b(0|i{1,3}|[123])[abc]?\b", window)
    named = [ROMAN[token] for token in tokens]
    order = ["0", "I", "II", "III"]
    if re.search(r"^\s*\S+\s*(?:-|to)\s*\S+", window) and len(named) == 2:
        low, high = order.index(named[0]), order.index(named[1])
        named = order[min(low, high) : max(low, high) + 1]
    return tuple(stage for stage in order if stage in named)


MEASURABLE = re.compile(
    r"^\W*measurable\b|\bmeasurable (?:disease|lesions?|tumou?rs?|target lesions?)\b|\bat least (?:1|one) measurable\b|\b>= ?1 measurable\b"
)


def extract_measurable(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    found = []
    bone_only = re.search(r"\bbone[\s-]only\b|\bnon-?measurable (?:disease )?only\b|\bonly non-?measurable\b", text)
    if kind == INCLUSION and not negated:
        if MEASURABLE.search(text) and not re.search(
            r"\b(?:evaluable|non-?measurable|without measurable|no measurable|or measurable|measurable or|either|optional|not required|bone[\s-]only|bone metastases only|not mandatory|dose escalation|part a|for (?:the )?expansion)\b|\bor (?:a |an )?(?:\w+ ){0,3}(?:bone|lytic|evaluable|osseous)",
            text,
        ):
            if not re.search(
                r"\bmeasurable (?:disease|lesions?) (?:is|are) (?:not )?(?:required|needed)\b.*\bnot\b", text
            ):
                found.append(Constraint("measurable_disease", "is", True))
    elif (kind == EXCLUSION) != negated and bone_only and not PERMISSION.search(text):
        found.append(Constraint("bone_only_disease", "is", True))
    return found


def extract_presentation(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    if not re.search(r"\bde[\s-]?novo\b", text) or re.search(
        r"\b(?:recurren\w*|relaps\w*|or\b[^.;]{0,30}\bafter\b)", text
    ):
        return []
    if PERMISSION.search(text) and kind == EXCLUSION:
        return []
    if re.search(
        r"\b(?:or|and/or)\s+(?:\w+\s+){0,3}(?:metastatic|advanced) (?:disease|cancer) (?:that|which|after|following)",
        text,
    ):
        return []
    return [Constraint("presentation", "in", ("de_novo",))]


# --- prior therapy and lines ---------------------------------------------------------

THERAPY_CONTEXT = re.compile(
    r"\b(?:prior|previous|previously|received|receiving|receipt|treated|treatment with|therapy with|exposure|exposed|progress\w*|after|following|refractory|resistant|failed|failure|pretreated|pre-treated|naive|history of|had|must have|recurrence on|relapse\w* (?:on|during|within))\b"
)
THERAPY_SKIP = re.compile(
    r"\b(?:hypersensitiv\w*|allerg\w*|anaphyla\w*|(?:infusion|severe) reactions?|reactions? to|contraindicat\w*|intoleran\w*|concomitant|concurrent\w*|cyp\w*|inducers?|p-gp|half[\s-]li\w*|washout|wash-out|unable to (?:take|receive|swallow)|ineligible for|candidates? for|not (?:a )?candidate|unsuitable for|plan\w* to receive|will receive|randomi[sz]ed to|scheduled|planned|planning|about to|to be treated|must be treated with|will be treated|current(?:ly)? (?:treatment|use|therapy|taking)|candidates? for|discontinued (?:due to|because of|for) (?:toxicit|intoleran|adverse|side)\w*|toxicit\w*|stopped|interrupt\w*|dose reduc\w*|cumulative|doses? (?:of|>|>=|exceed)\w*|irae\w*|immune[\s-]related adverse|adverse (?:events?|reactions?)|grade (?:>= ?)?[234]|toxic|side[\s-]effects?|not an? (?:option|candidate)|requir\w* (?:\w+ )?(?:radiation|radiotherapy))\b"
)
WASHOUT = re.compile(
    r"\bwithin (?:the )?(?:last |past |previous |preceding )?(?:<=|<)?\s*\d+(?:\s*(?:-|to)\s*\d+)?\s*(?:days?|weeks?|wks?|hours?)\b|"
    r"^\W*(?:received|treatment with|use of)\b[^.;]{0,60}\bwithin (?:the )?(?:last |past )?[1-6]\s*months?\b|"
    r"\bwithin (?:the )?protocol[\s-](?:specified|defined) (?:intervals?|windows?|periods?)\b|\b\d+\s*(?:days?|weeks?)\s*(?:from|since|after)\b|(?:<=|<)\s*\d+\s*(?:days?|weeks?|months?)\s*(?:\([^)]*\)\s*)?(?:prior|before)|\b\d+\s*(?:days?|weeks?)\s*(?:prior|before|of (?:study|the first|first|day|randomi|enrol|registration|start))|\bwashout\b"
)
EXCEPTIONS = re.compile(
    r"\b(?:except|excepting|other than|with (?:the )?exception of|excluding|apart from|besides|unless|not including|but not)\b"
)
SETTING_METASTATIC = re.compile(
    r"\b(?:metastatic|advanced|mbc|abc|recurrent|unresectable|non-?curative|palliative)\s*(?:setting|disease|breast cancer|cancer|stage)?\b|\bfor (?:metastatic|advanced)\b|\b(?:1st|first|2nd|second)[\s-]line\b"
)
SETTING_EARLY = re.compile(
    r"\b(?:neo-?adjuvant|adjuvant|\(neo\)adjuvant|early[\s-]stage|early breast cancer|curative)\b"
)
NOT_THERAPY_CLASSES = {"bone_modifying_agent"}
REQUIRED_THERAPY = re.compile(
    r"\b(?:must|should|required|requires?|need|needs|have (?:received|had|been treated)|has (?:received|had|been treated)|received|progress\w*|relapse\w*|recurr\w* (?:on|after|during)|refractory|resistant|pretreated|pre-treated|previously treated|after (?:failure of|prior|treatment|at least)|following (?:prior|treatment)|at least (?:1|one|2|two) prior|exposure to|exposed to|naive|eligible for further)\b"
)


OPENING_REQUIREMENT = re.compile(
    r"(?:(?:patients?|participants?|subjects?)\s+)?(?:must\s+)?(?:have\s+|has\s+)?(?:previously\s+)?"
    r"(?:received|been treated with|progressed (?:on|after|during|following))\b"
)


RADIATION_HARM = re.compile(
    r"[\s-]*(?:pneumonitis|pneumonia|oncolog\w*|exposure|dermatitis|recall|necrosis|induced|toxicit\w*|fibrosis|injury|doses?)"
)


RADIATION_CAUSE = re.compile(r"\b(?:ionizing|exposure to|effects? of|sterilizing)\s*$")
# "Prior radiation that overlaps with the intended treatment volume": radiotherapy to one place,
# which a patient treated elsewhere has not had.
RADIATION_WHERE = re.compile(
    r"[^.;]{0,60}?\b(?:overlap\w*|same (?:area|site|field|region|lesion)s?|(?:target|index|measurable|only|sole) (?:lesions?|sites?)|(?:treatment|radiation|irradiated) (?:field|volume)s?)\b"
)


def therapies_named(text: str, lexicon: Lexicon) -> list[tuple[str, int, int]]:
    """The lexicon's therapy mentions, less "radiation" that names a harm or a specialty, not a treatment."""
    return [
        (key, start, end)
        for key, start, end in lexicon.therapy_mentions(text)
        if not (
            key == "class:radiotherapy"
            and (
                RADIATION_HARM.match(text, end)
                or RADIATION_CAUSE.search(text, max(0, start - 15), start)
                or RADIATION_WHERE.match(text, end)
            )
        )
    ]


def _with_classes(key: str, lexicon: Lexicon) -> set[str]:
    """A therapy key with every class it belongs to: "drug:palbociclib" is a CDK4/6 inhibitor."""
    sort, _, name = key.partition(":")
    if sort == "drug" and name in lexicon.drugs:
        classes = lexicon.classes_of(lexicon.drugs[name])
    elif sort == "class":
        classes = set(lexicon.ancestors(name))
    else:
        classes = set()
    return {key} | {f"class:{cls}" for cls in classes}


ENDOCRINE_REFRACTORY = re.compile(
    r"\b(?:endocrine|hormone|hormonal|et)[\s-](?:therapy[\s-])?(?:resistant|refractory|resistance)\b(?! to (?:a|an|the|first|1st)\b)"
)


def extract_prior_therapy(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    found = _prior_therapy(text, kind, negated, lexicon)
    if (
        kind == INCLUSION
        and not negated
        and ENDOCRINE_REFRACTORY.search(text)
        and not any("class:endocrine_therapy" in c.value for c in found)
        and not CONDITIONAL_ANYWHERE.search(text)
    ):
        # "HR+/HER2- endocrine-refractory breast cancer": resistance is known only after endocrine therapy.
        found.append(
            Constraint("prior_therapy", "received_any", ("class:endocrine_therapy",), qualifiers=("progressed",))
        )
    return found


def _prior_therapy(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    opening, *others = re.split(r"(?<!\be\.g)(?<!\bi\.e)\.\s+", text, maxsplit=1)
    rest = others[0] if others else ""
    if (
        kind == EXCLUSION
        and rest
        and PERMISSION.search(rest)
        and not PERMISSION.search(opening)
        # "(Patients are eligible if these medications are stopped)" speaks of the same drugs.
        and not re.search(r"\b(?:these|those|such|the above)\b", rest)
    ):
        # "Prior taxanes or platinum. Doxorubicin is allowed.": a permission for another drug leaves
        # the exclusion whole; one for a drug the exclusion names is read with it.
        excluded = {key for key, _, _ in lexicon.therapy_mentions(opening)}
        allowed = set()
        for key, _, _ in lexicon.therapy_mentions(rest):
            allowed |= _with_classes(key, lexicon)
        if excluded and not excluded & allowed:
            return _prior_therapy(opening, kind, negated, lexicon)
    # "(ie, surgery or radiation is not an option)": an aside about what cannot be given names nothing received.
    text = re.sub(
        r"\([^()]*\bnot (?:an? )?(?:option|candidate|feasible|possible|considered)\b[^()]*\)",
        lambda aside: " " * len(aside[0]),
        text,
    )
    # A required therapy's aside ("T-DXd (discontinued for progression or intolerance)") is not the point.
    main = re.sub(r"\([^)]*\)", " ", text) if kind == INCLUSION else text
    if THERAPY_SKIP.search(main) or not THERAPY_CONTEXT.search(text):
        return []
    mentions = therapies_named(text, lexicon)
    if not mentions:
        return []
    # "Received a CDK4/6 inhibitor ..., with any duration of therapy permitted" still requires it.
    required_up_front = kind == INCLUSION and OPENING_REQUIREMENT.match(text)
    permission = PERMISSION.search(text)
    if permission and not DENIAL.search(text):
        if not required_up_front:
            return []
        # The permission's own clause ("(anthracyclines are permitted)") names nothing required.
        start = max(text.rfind(mark, 0, permission.start()) for mark in ",;(") + 1
        ends = [i for i in (text.find(mark, permission.end()) for mark in ",;)") if i >= 0]
        text = text[:start] + " " + text[min(ends) + 1 if ends else len(text) :]
        mentions = therapies_named(text, lexicon)
        if not mentions:
            return []
    counted = LINES_NUMBER.search(text)
    linked = False  # the named therapy belongs to the counted lines ("..., one of which with a CDK4/6 inhibitor")
    if counted:
        # The count is read by extract_lines; a named class beside it ("at least 2 prior endocrine
        # therapies, including a CDK4/6 inhibitor") is a requirement of its own.
        generic = ("class:chemotherapy", "class:endocrine_therapy")
        named = [
            (key, start, end)
            for key, start, end in mentions
            if start >= counted.end()
            and key not in generic
            # "1 prior chemotherapy (which includes antibody drug conjugates)" defines the count.
            and not re.search(r"\([^)]*$", text[counted.end() : start])
            # "more than 1 prior line of any other PARPi-based regimen" counts that class's lines,
            # which the profile does not hold; "at least 1 line of a CDK4/6 inhibitor" is plain receipt.
            and not (
                re.fullmatch(r"\s*of\b[^,;]{0,25}", text[counted.end() : start])
                and not (counted["cmp"] in (None, ">=") and counted["low"] == "1" and not counted["high"])
            )
        ]
        # "progression on an aromatase inhibitor with a CDK4/6 inhibitor, with no more than 2 lines of
        # endocrine therapy": therapies named before the count are required in their own right.
        named_before = [
            (key, start, end)
            for key, start, end in mentions
            if end <= counted.start()
            and key not in generic
            and re.search(r"\b(?:progress\w*|relapse\w*|recurr\w*)\s+(?:on|after|following|during)\b", text[:start])
            and not re.search(r"\bwith or without\s+(?:[\w-]+\s+){0,4}$", text[:start])
        ]
        if not named and not named_before:
            return []
        if not named:
            mentions = named_before
        # "... therapies, including a CDK4/6 inhibitor" names one of the counted lines; "an endocrine
        # therapy and a CDK4/6 inhibitor" asks for both.
        if named and re.search(r"\b(?:including|of which|in combination with)\b", text[counted.end() : named[0][1]]):
            mentions, linked = named, True
    exception = EXCEPTIONS.search(text)
    cut = exception.start() if exception else len(text)
    # "... is not allowed unless started < 30 days before day 1": the window belongs to the exception
    # (a bracketed "(excluding local puncture)" ends nothing).
    bracketed = text[:cut].count("(") > text[:cut].count(")")
    if WASHOUT.search(text if bracketed else text[:cut]) and not re.search(
        r"\b(?:ever|at any time|any setting)\b", text
    ):
        return []
    # "a CDK4/6 inhibitor, alone or in combination with endocrine therapy": the partner is optional.
    optional = re.search(
        r"\b(?:alone|(?:as )?(?:a )?(?:single|1)[\s-]agents?|monotherapy)(?:\)|,)? or (?:in )?combination with\b|\bwith or without\b|\(\s*(?:\+/-|\+/ -|±)",
        text,
    )
    kept = [
        (key, start)
        for key, start, _ in mentions
        if start < cut and not (optional and start > optional.end() and mentions[0][1] < optional.start())
    ]
    if not kept:
        return []
    first = min(start for _, start in kept)
    near = text[max(0, first - 100) : first]
    after_first = text[first : first + 60]
    if (
        not linked
        and not THERAPY_CONTEXT.search(near)
        and not re.search(
            r"[\s-](?:pretreated|pre-treated|refractory|resistant|naive|exposed|experienced|based therapy|containing)\b",
            after_first,
        )
    ):
        return []
    if (
        kind == INCLUSION
        and not negated
        and not linked  # a count of prior lines in an inclusion is itself a requirement
        and not REQUIRED_THERAPY.search(text[max(0, first - 80) : first + 80])
    ):
        return []  # a bare "Prior therapy: ..." among inclusion criteria does not say it is required
    # "Prior chemotherapy (e.g. anthracyclines)": an example inside brackets does not narrow the class.
    examples = [
        match.span() for match in re.finditer(r"\((?:e\.?g\.?|such as|including|i\.?e\.?|for example)\b[^)]*\)?", text)
    ]
    named_outside = {key for key, start in kept if not any(low <= start < high for low, high in examples)}
    # "investigational alike agents such as SERMs": examples of experimental drugs, not the approved
    # members of those classes (tamoxifen).
    experimental = [
        (match.end(), match.end() + len(re.split(r"[.;]", text[match.end() :], maxsplit=1)[0]))
        for match in re.finditer(
            r"\b(?:investigational|experimental|novel)\b[\w\s-]{0,30}\b(?:agents?|drugs?|compounds?|therap(?:y|ies))\s*,?\s*(?:such as|e\.?g\.?|including)",
            text,
        )
    ]
    keys = []
    for key, start in kept:
        if key.startswith("class:") and key[6:] in NOT_THERAPY_CLASSES:
            continue
        if key.startswith("class:") and any(low <= start < high for low, high in experimental):
            continue
        in_example = any(low <= start < high for low, high in examples)
        if in_example and _with_classes(key, lexicon) & (named_outside - {key}):
            continue
        if key not in keys:
            keys.append(key)
    # A broad class beside a narrower one it contains ("platinum-based chemotherapy") adds nothing.
    narrower = set()
    for key in keys:
        sort, _, name = key.partition(":")
        # Only a narrower class makes a broad one redundant; named drugs are often just examples
        # ("any PI3K, AKT or mTOR inhibitor (including alpelisib ...)").
        if sort == "class":
            narrower |= {ancestor for ancestor in lexicon.ancestors(name) if ancestor != name}
    keys = [key for key in keys if not (key.startswith("class:") and key[6:] in narrower)]
    if (
        BRAIN.search(text[:80]) and not re.search(r"\b(?:whole[\s-]brain|wbrt|srs|stereotactic|radiosurgery)\b", text)
    ) or re.search(r"\d+\s*%\s*of (?:the )?(?:bone )?marrow", text):
        # Radiation named in a brain-metastases criterion says how they were treated; radiation
        # to a share of the marrow is a dose limit: neither asks whether she has had radiotherapy.
        keys = [key for key in keys if key != "class:radiotherapy"]
    if not keys:
        return []
    qualifiers = []
    if SETTING_METASTATIC.search(text):
        qualifiers.append("metastatic_setting")
    if SETTING_EARLY.search(text):
        qualifiers.append("early_setting")
    if re.search(
        r"(?<!without )(?<!no )(?<!absence of )\b(?:progress\w*|refractory|resistan\w*|fail\w*)", text
    ) and not re.search(r"\b(?:without|no|absence of) (?:\w+ )?progress", text):
        qualifiers.append("progressed")
    naive = re.search(r"\bnaive\b", text) is not None
    if naive and re.search(
        r"\bnaive\b[^.;]{0,30}\bor\b[^.;]{0,40}\b(?:progress\w*|received|treated|exposed|pretreated|refractory)", text
    ):
        return []  # "anti-PD-1 naive or progressed on it": either will do
    segment = text[:cut]
    first = min(start for _, start in kept)
    # Only the words joining the named therapies decide "all" or "any"; "advanced or metastatic" does not.
    between = segment[first : max(start for _, start in kept) + 1]
    op = (
        "received_all"
        if kind == INCLUSION
        and re.search(r"\band\b|\bplus\b|\bwith\b|\bcombined with\b", between)
        and not re.search(r"\bor\b|and/or|either|any\b|one of", between)
        and len(keys) > 1
        else "received_any"
    )
    without = re.search(
        r"\bwithout (?:any )?(?:prior |previous )?(?:treatment with |therapy with |exposure to )?(?:an? )?$",
        text[max(0, first - 50) : first],
    )
    if naive or (without and not re.search(r"\b(?:and|or)\b", between)):
        op = "not_received"  # "patients with a germline BRCA mutation without prior PARP inhibitor"
    generic_only = all(key in ("class:chemotherapy", "class:endocrine_therapy") for key in keys)
    # "naive, or treated more than 5 years ago": when it was given decides, and we do not know that;
    # so does where ("in a clinical trial").
    timed = re.search(
        r"\bor\b[^.;]{0,60}\b(?:ago|> ?\d+ (?:months?|years?))|\b(?:clinical trial|experimental arm|investigational setting)\b"
        r"|\bwithin (?:the first )?\d+ (?:months?|years?)\b",
        text,
    )
    # "Investigational SERDs" does not cover approved drugs of the class, which we cannot tell apart.
    novel = re.search(
        r"\b(?:investigational|novel|experimental|next[\s-]generation)\b", text[max(0, first - 40) : first + 40]
    )
    # "... unless started < 30 days before day 1" lets through only a treatment just begun.
    just_begun = exception and re.search(
        r"\b(?:initiated|started|begun|commenced)\b[^.;]{0,20}(?:<|<=|within)\s*\d+\s*(?:days?|weeks?)",
        text[exception.start() :],
    )
    # "high-dose chemotherapy requiring stem cell rescue": one way of giving the class, not all of it.
    narrowed = any(NARROWED_THERAPY.search(text[max(0, start - 30) : start]) for _, start in kept)
    specific = (
        narrowed
        or (bool(exception) and generic_only and not just_begun)
        or bool(novel and any(key.startswith("class:") for key in keys))
        or bool(timed)
        # Radiation criteria hang on the area, dose and timing, which the profile does not hold.
        or all(key == "class:radiotherapy" for key in keys)
    )
    combination = _combination(segment, first, kept, mentions, keys) if op == "received_any" else None
    if combination:
        # "an aromatase inhibitor or tamoxifen with a CDK4/6 inhibitor": one of the first, given with the second.
        together = (*qualifiers, "combination")
        return [Constraint("prior_therapy", op, part, specific=specific, qualifiers=together) for part in combination]
    return [Constraint("prior_therapy", op, tuple(keys), specific=specific, qualifiers=tuple(qualifiers))]


NARROWED_THERAPY = re.compile(
    r"\b(?:high[\s-]dose|myeloablative|intrathecal|intraperitoneal|intravesical|intra-?arterial|intra-?tumou?ral|topical|isolated limb|hepatic arterial)\b[\s\w-]{0,12}$"
)
COMBINED_WITH = re.compile(
    r"\s*(?:,\s*)?\b(?:in combination with|combined with|given with|with|plus)\s+(?:an?\s+|the\s+)?"
)


def _combination(
    segment: str, first: int, kept: list[tuple[str, int]], mentions: list[tuple[str, int, int]], keys: list[str]
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """Therapies offered as alternatives and combined with the next one named: the two groups, or None.

    "an aromatase inhibitor or tamoxifen with a CDK4/6 inhibitor": the combining word joins the
    end of one therapy's name to the start of the next, and an "or" joins the ones before it.
    """
    if re.search(r"\b(?:alone|with or without|monotherapy|or with)\b", segment):
        return None
    ends = {start: end for _, start, end in mentions}
    starts = sorted({start for _, start in kept})
    for before, after in zip(starts, starts[1:], strict=False):
        joined = COMBINED_WITH.match(segment, ends[before])
        if not joined or joined.end() != after:
            continue
        if not re.search(r"\bor\b", segment[first:before]) or re.search(r"\bor\b", segment[after : max(starts) + 1]):
            return None
        position = {}
        for key, start in kept:
            position.setdefault(key, start)
        group = tuple(key for key in keys if position.get(key, after) <= before)
        partner = tuple(key for key in keys if position.get(key, -1) >= after)
        return (group, partner) if len(group) >= 2 and partner else None
    return None


LINE_NOUN = (
    r"(?:lines?|regimens?|courses?|(?:treatments|therapies)\b(?! (?:with|of) )|(?:prior|previous) (?:systemic )?(?:treatment|therapy)"
    r"|(?:chemotherapy|chemotherapies|endocrine therapy|endocrine therapies|hormonal therapy|hormonal therapies|hormone therapy)\b(?!\s*(?:cycles?|doses?|sessions?|within|for \d)))"
)
LINE_MIDDLE = r"(?:(?:prior|previous|additional|total|different|systemic|cytotoxic|chemotherapy|chemotherapeutic|chemo|endocrine|hormonal|hormone|anti-?cancer|based|or|and|of|standard|lines? of)[\s-]+){0,5}"
LINES_NUMBER = re.compile(
    rf"(?P<cmp><=|>=|<|>)?\s*(?P<low>\d{{1,2}})\s*(?:(?:-|to|or)\s*(?P<high>\d{{1,2}}))?\s*(?P<after>\+|or more|or fewer|or less)?\s*(?:\(\d+\)\s*)?(?!(?:days?|weeks?|months?|years?|cycles?|doses?|mg|%)\b){LINE_MIDDLE}{LINE_NOUN}"
)


def _lines_scope(text: str) -> str:
    if re.search(r"\bnon-?(?:endocrine|hormonal)\b", text):
        return "chemotherapy"  # "non-endocrine-based therapy": chemotherapy and the ADCs counted with it
    chemo = re.search(r"\b(?:chemotherapy|chemotherapies|cytotoxic|chemo)\b", text)
    hormonal = re.search(r"\b(?:endocrine|hormonal|hormone)\b", text)
    if chemo and hormonal:
        return "total"
    if re.search(r"\b(?:chemotherapy|chemotherapies|cytotoxic|chemo|adc|antibody[\s-]drug)\w*", text):
        return "chemotherapy"
    if re.search(r"\b(?:endocrine|hormonal|hormone|anti-?estrogen)\w*", text):
        return "endocrine"
    return "total"


LINES_RANGE = re.compile(
    rf"(?:>=|>)?\s*(?P<low>\d{{1,2}})\s*(?:and|or|but|,)\s*(?:<=|up to)\s*(?P<high>\d{{1,2}})\s*{LINE_MIDDLE}{LINE_NOUN}"
)


CLASS_LINES = re.compile(
    r"her2|cdk ?4/6|cyclin[\s-]dependent|parp|pd-?l?1|checkpoint|immunotherap|antibody|adc\b|targeted|mutation-directed"
)


def _line_limits(match: re.Match[str], text: str, kind: str) -> list[Constraint]:
    if "~" in text[max(0, match.start() - 3) : match.start() + 3]:
        return []  # the comparison sign was lost; the bound cannot be read
    # Only the words that qualify this count: "2 lines of anti-HER2 therapy", not "..., including a CDK4/6 inhibitor".
    qualifier = re.split(r"[,;(]|\band\b|\bincluding\b|\bof which\b", text[match.end() : match.end() + 30])[0]
    if CLASS_LINES.search(match[0] + qualifier):
        return []  # "2 lines of anti-HER2 therapy" counts one kind of drug, which the profile does not count
    low, high = int(match["low"]), _n(match["high"])
    # The scope words follow the count ("2 prior lines of chemotherapy"), or come just before it.
    following = re.split(r" and |\bincluding\b|\bof which\b|\(", text[match.end() : match.end() + 60])[0]
    scope = _lines_scope(match[0] + " " + following)
    if scope == "total":
        scope = _lines_scope(text[max(0, match.start() - 30) : match.start()])
    before = text[max(0, match.start() - 25) : match.start()]
    symbol = match["cmp"] or ""
    if not symbol and re.search(r"(?:<=|>=|<|>)\s*$", before):
        symbol = re.search(r"(<=|>=|<|>)\s*$", before)[1]
    if symbol in (">", ">=") and re.search(
        r"\b(?:not|never)\b[^.;,]{0,30}$", text[max(0, match.start() - 40) : match.start() + 3]
    ):
        # "must not have received more than 3 lines" is an upper bound.
        return [Constraint("prior_lines", "<=", low if symbol == ">" else low - 1, scope=scope)]
    after = match["after"] or ""
    if high is not None and not symbol:
        if low <= high <= 10:
            return [
                Constraint("prior_lines", ">=", low, scope=scope),
                Constraint("prior_lines", "<=", high, scope=scope),
            ]
        return []
    if low > 10:
        return []
    if after in ("+", "or more"):
        return [Constraint("prior_lines", ">=", low, scope=scope)]
    if after in ("or fewer", "or less") or symbol == "<=":
        return [Constraint("prior_lines", "<=", low, scope=scope)]
    if symbol == "<":
        return [Constraint("prior_lines", "<=", low - 1, scope=scope)]
    if symbol == ">=":
        return [Constraint("prior_lines", ">=", low, scope=scope)]
    if symbol == ">":
        return [Constraint("prior_lines", ">=", low + 1, scope=scope)]
    lead = text[max(0, match.start() - 80) : match.start()]
    if (
        kind == INCLUSION
        and (
            re.search(r"\b(?:received|had|have|must|after|following|progress\w*|treated with)\b", lead)
            # An inclusion item that opens with its count ("One prior line of endocrine therapy and ...") requires it.
            or not re.search(r"[\w<>=~]", text[: match.start()])
        )
    ):
        return [Constraint("prior_lines", ">=", low, scope=scope)]
    if kind == EXCLUSION and re.search(r"\b(?:received|had|prior|previous)\b", text):
        return [Constraint("prior_lines", ">=", low, scope=scope)]
    return []


def extract_lines(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    found: list[Constraint] = []
    if re.search(r"\b(?:adjuvant|neoadjuvant|early[\s-]stage)\b", text) and not re.search(
        r"\b(?:metastatic|advanced|mbc|abc|recurrent|unresectable)\b", text
    ):
        return []
    if re.search(r"\bno (?:limit|restriction|maximum)\b|\bany number\b|\bunlimited\b", text):
        return []
    if re.search(r"\bfrom the (?:date|time) of\b", text):
        return []  # lines counted within a window of dates: the profile counts lines, not when they were
    ranged = LINES_RANGE.search(text)
    if ranged and int(ranged["low"]) <= int(ranged["high"]) <= 10:
        # "at least 1 and no more than 3 prior lines", "one or up to two prior therapies"
        scope = _lines_scope(ranged[0] + " " + text[ranged.end() : ranged.end() + 60].split(" and ")[0])
        return [
            Constraint("prior_lines", ">=", int(ranged["low"]), scope=scope),
            Constraint("prior_lines", "<=", int(ranged["high"]), scope=scope),
        ]
    # ">= 0 lines" says nothing; a negated sentence's bounds are read without its "not".
    source = re.sub(r"\b(?:not|never)\b", "", text) if negated else text
    for match in LINES_NUMBER.finditer(source):
        found.extend(
            c
            for c in _line_limits(match, source, kind)
            if not (c.op == ">=" and c.value == 0) and not (negated and c.op == "<=")
        )
    if found and re.search(
        r"\bprogress\w*\s+(?:on|after|following)\s+(?:<=|up to|no more than|at most|a maximum of)\s*\d", source
    ):
        # "progressed on <= 2 prior lines of endocrine therapy": at least one was given.
        found += [
            Constraint("prior_lines", ">=", 1, scope=c.scope)
            for c in found
            if c.op == "<=" and c.value >= 1 and not any(o.op in (">=", "==") and o.scope == c.scope for o in found)
        ]
    if found:
        return [] if any(c.op == "<=" and c.value < 0 for c in found) else found
    untreated = re.search(
        r"\b(?:no (?:prior|previous) (?:(?:systemic|cytotoxic|endocrine|anti-?cancer|anti-?neoplastic) ){0,2}(?:therapy|therapies|treatment|treatments|chemotherapy|endocrine therapy)|(?:treatment|therapy)[\s-]naive|not (?:have )?(?:been )?(?:previously )?(?:received|treated with) (?:any )?(?:prior )?(?:systemic |cytotoxic )?(?:therapy|treatment|chemotherapy)|untreated)\b",
        text,
    )
    treated = re.search(
        r"\b(?:received|had|been treated with)\s+(?:any\s+)?(?:prior\s+|previous\s+)?(?:(?:systemic|anti-?cancer|anti-?neoplastic)\s+)?(?:therapy|therapies|treatment)\s+for\s+(?:the\s+)?(?:treatment\s+of\s+)?(?:locally\s+recurrent\s+)?(?:unresectable\s+|inoperable\s+)?(?:or\s+)?(?:metastatic|advanced|mbc|abc|recurrent|unresectable)\b",
        text,
    )
    if (
        kind == INCLUSION
        and not negated
        and not re.search(r"\bmay\b", text)
        and re.match(
            r"^\W*(?:(?:patients?|participants?)\s+)?(?:must\s+(?:have\s+)?(?:had|received)\s+)?(?:at least one\s+|1\s+)?(?:prior|previous)\s+(?:systemic\s+)?(?:treatment|therapy|line of (?:systemic\s+)?(?:treatment|therapy))\s+(?:in|for)\s+(?:the\s+)?(?:recurrent|metastatic|advanced|mbc|abc|locally)",
            text,
        )
    ):
        return [Constraint("prior_lines", ">=", 1, scope="total")]  # "Prior treatment in the metastatic setting"
    if treated and re.search(r"\b(?:considered|deemed|regarded) to have\s*$", text[: treated.start()]):
        treated = None  # "... are considered to have had prior therapy for metastatic disease" defines it
    if treated and not untreated and (kind == EXCLUSION) != negated:
        # "Has received prior systemic therapy for metastatic breast cancer" under exclusions.
        return [Constraint("prior_lines", ">=", 1, scope="total")]
    if untreated and re.search(r"\b(?:metastatic|advanced|mbc|abc|recurrent|unresectable)\b", text):
        scope = _lines_scope(untreated[0])
        # "No prior therapy ..." is negated as a whole, so describe the opposite fact.
        return [
            Constraint("prior_lines", ">=", 1, scope=scope)
            if negated
            else Constraint("prior_lines", "==", 0, scope=scope)
        ]
    if (
        kind == INCLUSION
        and not negated
        and re.search(
            r"\b(?:for|as|candidates? for|eligible for|planned as|planned for|planned to (?:initiate|start|begin|receive)|plan(?:ning)? to (?:initiate|start|begin|receive)|scheduled to (?:initiate|start|begin|receive)|untreated|naive)\b[^.;]{0,40}\b(?:1st|first)[\s-]line\b",
            text,
        )
        and not re.search(
            r"\b(?:received|receiving|prior|previous|after|following|progress\w*|in the first[\s-]line setting|completion|completed|cycles?|induction|maintenance)\b",
            text,
        )
    ):
        return [Constraint("prior_lines", "==", 0, scope="total")]
    return []


# --- tumour biology --------------------------------------------------------------------

HR_NAME = (
    r"(?:estrogen (?:receptor )?(?:and/or|or) progesterone receptors?|er and/or progesterone receptor|er\s*\(\s*estrogen receptor\s*\)|er and/or pgr|er and/or pr|er or pr|er and pr|er/pgr|er/pr"
    r"|estrogen receptor|oestrogen receptor|estrogen-receptor|hormone receptor|hormone-receptor|hormone(?= positive)|er|hr)"
)
PR_NAME = r"(?:pr|pgr|progesterone receptor)"
POSITIVE = r"(?:[\s-]*(?:\(\w+\)\s*)?(?:positive|positivity|\+(?!\d)|expressing|rich|pos\b))"
NEGATIVE = r"(?:[\s-]*(?:\(\w+\)\s*)?(?:negative|negativity|-(?=\s|/|,|\)|$)|neg\b|poor|low(?!er)))"


def extract_hormone_receptor(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    found = []
    if re.search(r"\btriple[\s-]?negative\b|\btnbc\b|\btriple[\s-]receptor[\s-]negative\b", text):
        return [Constraint("triple_negative", "is", True)]
    if re.search(r"\bluminal\b", text) and not re.search(r"\bher2\b", text):
        found.append(Constraint("hormone_receptor", "is", "positive", scope="hr"))
        return found
    positive = re.search(rf"\b{HR_NAME}{POSITIVE}", text) or re.search(
        rf"\bpositive\s+{HR_NAME}\s*(?:status|expression)?\b(?!\s*-?\s*(?:negative|-))", text
    )
    negative = re.search(rf"\b{HR_NAME}{NEGATIVE}", text)
    if not positive and not negative:
        # "Expression of ER or progesterone receptors (PR)": expression is positivity.
        positive = re.search(
            r"\b(?:expression of|expressing) (?:er|estrogen receptors?|hormone receptors?)\b(?!\s*(?:<|<=|-|negative))",
            text,
        )
    pr_positive = re.search(rf"\b{PR_NAME}{POSITIVE}", text)
    if re.search(
        r"\b(?:regardless of|irrespective of|any)\s+(?:hormone|hr|er)\b|\bhr[\s-]?(?:positive|\+)\s*(?:or|and/or)\s*(?:hr[\s-]?)?(?:negative|-)",
        text,
    ):
        return []
    if (positive and negative) or re.search(
        r"\bpositive or negative\b|\bnegative or positive\b|\bany (?:er|pr|hr|hormone)\b", text
    ):
        return []
    if positive:
        name = re.match(HR_NAME, re.sub(r"^(?:expression of|expressing) ", "", positive[0].strip()))
        named = name[0] if name else "hr"
        scope = (
            "er"
            if named
            in ("er", "estrogen receptor", "oestrogen receptor", "estrogen-receptor", "er ( estrogen receptor )")
            or named.startswith("er (")
            else "hr"
        )
        if scope == "er" and (
            re.search(rf"\ber{POSITIVE}\s*(?:and/or|or)\s*{PR_NAME}", text)
            or re.match(rf"\s*(?:and/or|or)\s*{PR_NAME}", text[positive.end() :])
        ):
            scope = "hr"
        found.append(Constraint("hormone_receptor", "is", "positive", scope=scope))
    elif negative:
        scope = "er" if re.match(r"\s*(?:er|estrogen|oestrogen)\b(?!/| and| or)", negative[0]) else "hr"
        if re.search(rf"\b{HR_NAME}[\s-]*low\b", text):
            return []
        found.append(Constraint("hormone_receptor", "is", "negative", scope=scope))
    elif pr_positive and not re.search(r"\bher2\b[^.;]{0,5}pr", text):
        found.append(Constraint("hormone_receptor", "is", "positive", scope="pr"))
    return found


HER2_NAME = (
    r"(?:her2|her-2|her 2|her2/neu|her-2/neu|erbb2|human epidermal growth factor receptor[\s-]?2(?:\s*\(her2\))?)"
)
HER2_THERAPY = re.compile(
    rf"(?:anti-?\s*{HER2_NAME}|{HER2_NAME}[\s-]*(?:directed|targeted|targeting|target|therap\w*|agents?|inhibitors?|antibod\w*|tki\w*|adc|blockade|based))"
)
HER2_MUTATION = re.compile(rf"{HER2_NAME}[\s-]*(?:activating\s+)?(?:mutat\w*|mutant|variant)")
HER2_LEVELS = ("positive", "low", "ultralow", "zero", "negative")
HER2_NEGATIVE_SET = ("low", "ultralow", "zero", "negative")


ULTRALOW_DEFINED = re.compile(
    r"\bihc\s*(?:score\s*(?:of\s*)?)?0\s*\+?\s*(?:with|and|showing|having)\s+(?:faint|weak|barely|incomplete|partial|minimal)\b[^);,]*"
)


def extract_her2(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    cleaned = HER2_THERAPY.sub(" ", text)
    cleaned = HER2_MUTATION.sub(" ", cleaned)
    levels: set[str] = set()
    if (
        re.search(
            rf"{HER2_NAME}[\s-]*(?:positive|positivity|\+(?!\s*\d)|over-?express\w*|amplified|amplification|3\+|gene amplified)|\b(?:hr[\s-]?[+-]|er[\s-]?[+-])/her2\+|\bher2\+",
            cleaned,
        )
        or re.search(r"\bihc\s*3\s*\+|\bihc\s*(?:score\s*(?:of\s*)?)?3\+", cleaned)
        and re.search(HER2_NAME, cleaned)
    ):
        levels.add("positive")
    if re.search(
        rf"{HER2_NAME}[\s-]*(?:negative|negativity|-(?=\s|/|,|\)|;|$)|non-?amplified|not amplified|non-?over-?express\w*|normal)|/her2-|\bher2[\s-]?neg\b"
        r"|\bnegative (?:expression |status |result )?(?:of |for )her-?2\b",
        cleaned,
    ):
        levels.update(HER2_NEGATIVE_SET)
    if re.search(
        rf"{HER2_NAME}[\s-]*(?:low|-low)\b|\bher2[\s-]?low\b|\bihc\s*1\+\s*(?:or|and/or|,)\s*(?:ihc\s*)?2\+|\bihc\s*1\+"
        rf"|{HER2_NAME}[\s-]*(?:ihc\s*)?0\s*(?:-|to|or)\s*1\+",
        cleaned,
    ):
        levels.add("low")
    if re.search(rf"{HER2_NAME}[\s-]*expressing|{HER2_NAME} expression\b(?!\s*(?:of\s*)?0)", cleaned):
        levels.update(("positive", "low"))
    if re.search(r"\bultra[\s-]?low\b|\bihc\s*>\s*0\s*(?:and\s*)?<\s*1\+", cleaned):
        levels.add("ultralow")
    if ULTRALOW_DEFINED.search(cleaned):
        # "IHC 0 with faint staining" defines ultralow; it does not take HER2-0 cancer.
        levels.add("ultralow")
        cleaned = ULTRALOW_DEFINED.sub(" ", cleaned)
    if re.search(
        rf"{HER2_NAME}[\s-]*(?:0|zero|null)\b|\bihc\s*(?:score\s*(?:of\s*)?)?0\b(?!\s*(?:-|to|,|or)\s*\d)|\bher2[\s-]?0\b",
        cleaned,
    ):
        levels.add("zero")
        # IHC 0 as scored before "ultralow" was named covers faint staining too, unless the trial
        # tells the two apart.
        if not re.search(r"\bnull\b|\bno (?:membrane )?staining\b|\babsent staining\b|\bultra[\s-]?low\b", cleaned):
            levels.add("ultralow")
    if not levels or re.search(r"\bher2\s*(?:-/\+|\+/-|\+/-ve|\(\+/-\))", cleaned):
        return []  # "HER2-/+" is either
    if re.search(rf"{HER2_NAME}[\s-]*(?:[\w-]+/){{1,3}}(?:mutant|mutated|mutation)|\bher2\+/mutant\b", text):
        return []  # "HER2 amplified/mutant": a mutation without amplification qualifies too
    if "positive" in levels and levels & {"ultralow", "zero", "negative"}:
        if re.search(r"\bor\b|and/or|regardless|irrespective|any\b", cleaned):
            return []
        # "HER2-positive ... not HER2-low" style sentences are too tangled to read safely.
        return []
    if re.search(
        r"\b(?:regardless of|irrespective of|any)\s+her2\b|positive or negative|negative or positive", cleaned
    ):
        return []
    return [Constraint("her2", "in", tuple(level for level in HER2_LEVELS if level in levels))]


GENE_NAMES = ("BRCA1", "BRCA2", "PALB2", "PIK3CA", "ESR1", "AKT1", "PTEN")
GENE_MENTION = re.compile(
    r"\b(?:g|s|germline\s+|somatic\s+)?(brca\s*1\s*(?:/|or|and|,)\s*2|brca1/2|brca\s*1/2|brca[12]?|palb2|pik3ca|esr1|akt1|akt|pten)(?:m\b)?",
    re.IGNORECASE,
)
ALTERED = re.compile(
    r"\b(?:mutat\w*|mutant|alteration\w*|altered|variants?|pathogenic|deleterious|activating|carriers?|loss|deficien\w*|inactivat\w*|hotspot|positive)\b|brcam|-m\b"
)
NOT_ALTERED = re.compile(
    r"\b(?:wild[\s-]?type|wt\b|negative|no (?:known |documented )?(?:pathogenic |deleterious |germline )?(?:mutation|alteration|variant)s?|without (?:a )?(?:known )?(?:\w+ )?(?:mutation|alteration))"
)


def _genes(found: str) -> list[str]:
    word = found.lower().replace(" ", "")
    if word.startswith("brca"):
        if word in ("brca1",):
            return ["BRCA1"]
        if word in ("brca2",):
            return ["BRCA2"]
        return ["BRCA1", "BRCA2"]
    if word == "akt":
        return ["AKT1"]
    return [word.upper()]


def extract_genes(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    mentions = list(GENE_MENTION.finditer(text))
    if not mentions:
        return []
    if re.search(r"\b(?:akt|pi3k|parp|mtor)[\s-]*(?:inhibitor|pathway inhibitor)", text) and not ALTERED.search(
        text.replace("inhibitor", "")
    ):
        return []
    if re.search(
        r"\b(?:status (?:is )?(?:known|unknown|available)|known (?:\w+ )?status|tested|testing|test results?|sample|tissue (?:for|available))\b",
        text,
    ) and not re.search(
        r"\b(?:mutat\w*|alteration\w*|variant|pathogenic|deleterious)\b(?![^.;]{0,20}\b(?:status|testing|test))", text
    ):
        return []
    genes: list[str] = []
    for mention in mentions:
        for gene in _genes(mention[1]):
            if gene not in genes:
                genes.append(gene)
    window = text[max(0, mentions[0].start() - 40) : mentions[-1].end() + 60]
    if negated:
        # "No known BRCA mutation": the rule is negated, the fact is the mutation.
        window = re.sub(r"^\W*(?:no|not|without)\b", "", window)
    if NOT_ALTERED.search(window) and not negated and not ALTERED.search(window.replace("negative", "")):
        value = "not_altered"
    elif ALTERED.search(window):
        value = "altered"
    else:
        return []
    qualifiers = []
    if re.search(r"\bsomatic\b|\bs?brca\b.*\btumou?r\b|\btumou?r\b.*\bbrca", window) and not re.search(
        r"\bgermline\b", window
    ):
        if any(gene in ("BRCA1", "BRCA2", "PALB2") for gene in genes):
            qualifiers.append("somatic_possible")
    return [Constraint("gene_alteration", "is", value, scope=",".join(genes), qualifiers=tuple(qualifiers))]


PDL1 = re.compile(r"\bpd[\s-]?l[\s-]?1\b")


def extract_pd_l1(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    if not PDL1.search(text):
        return []
    cleaned = re.sub(
        r"anti-?\s*pd[\s-]?l?[\s-]?1|pd[\s-]?(?:l[\s-]?)?1[\s-]*(?:/pd[\s-]?l[\s-]?1)?[\s-]*(?:inhibitor|antibod\w*|blockade|targeted|directed|therap\w*|agents?)\w*",
        " ",
        text,
    )
    if not PDL1.search(cleaned) or re.search(r"\b(?:regardless|irrespective|any|unknown)\b", cleaned):
        return []
    if re.search(
        r"pd[\s-]?l[\s-]?1[\s-]*(?:positive|\+|high|expressing|expression (?:of )?(?:>=|>))|\(?cps\)?\s*(?:score\s*)?(?:of\s*)?(?:>=|>)\s*\d+|(?:>=|>)\s*\d+\s*%?\s*cps|tap\s*(?:>=|>)|ic\s*(?:>=|>)\s*1",
        cleaned,
    ):
        return [Constraint("pd_l1", "is", "positive")]
    if re.search(
        r"pd[\s-]?l[\s-]?1[\s-]*(?:negative|-(?=\s|,|/|$)|low)|\(?cps\)?\s*(?:score\s*)?(?:of\s*)?(?:<|<=)\s*\d+",
        cleaned,
    ):
        return [Constraint("pd_l1", "is", "negative")]
    return []


AGE = re.compile(
    r"\b(?:age[sd]?|years? of age|years? old|yo|adults?)\b|\b\d{2}\s*(?:years?|yrs?)\s*(?:or|and)\s*(?:older|over|above)\b"
)
# "Men or women aged >= 18": an alternative of sexes, not of ages.
EITHER_SEX = re.compile(
    r"\b(?:men|male|males|women|woman|female|females)\s+(?:or|and/or|and)\s+(?:(?:pre-?|peri-?|post-?)menopausal\s+)?(?:men|male|males|women|woman|female|females)\b"
)


BOTH_MENOPAUSAL_STATES = re.compile(
    r"\bpre[\s-]*(?:and|or|/|,)\s*post[\s-]*menopausal\b|\bpost[\s-]*(?:and|or|/|,)\s*pre[\s-]*menopausal\b"
)
MENOPAUSE_DEFINED = re.compile(
    r"menopaus[^.;]*\b(?:age|aged|years|amenorrh\w*|oophorectom\w*|fsh|estradiol|menses|menstrua\w*)\b"
    r"|\b(?:age|aged|years|amenorrh\w*|oophorectom\w*|fsh|estradiol)\b[^.;]*menopaus"
)


def extract_age(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    if "~" in text:
        return []  # "Age ~ 18": the sign was lost
    # Ages in brackets qualify something else ("ECOG <= 2 (patients aged >= 75)"); other cohorts' ages
    # follow a "Cohort X only:" label.
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.split(r"\b(?:cohort|part|arm|phase)\s+\w+\s+only\b", text)[0]
    text = EITHER_SEX.sub(" ", BOTH_MENOPAUSAL_STATES.sub(" ", text))
    if (
        kind != INCLUSION
        or negated
        or not AGE.search(text)
        or re.search(
            r"menopaus|amenorrh|menses|childbearing|potential|life expectancy|guardian|legal|\bif\b|\bnote\b|normative|oncotype",
            text,
        )
    ):
        return []
    if re.search(r"\bor\b", text) and not re.search(
        r"\b(?:\d{2}) (?:years? )?(?:of age )?or (?:older|over|above|more|greater)\b", text
    ):
        return []
    found = []
    range_match = re.search(r"\b(\d{2})\s*(?:-|to)\s*(\d{2,3})\s*(?:years?|yrs?)", text)
    if range_match and 12 <= int(range_match[1]) < int(range_match[2]) <= 120:
        return [Constraint("age", ">=", int(range_match[1])), Constraint("age", "<=", int(range_match[2]))]
    for match in re.finditer(
        r"(>=|<=|>|<)\s*(\d{2,3})\s*(?!\s*(?:kg|%|mg|cm|mm|m2|g\b|ml|lb))(?:years?|yrs?|yo)?|(\d{2,3})\s*(?:years?|yrs?)?\s*(?:of age\s*)?(?:or|and)\s*(older|over|above|younger|under|below)",
        text,
    ):
        if match[1]:
            symbol, years = match[1], int(match[2])
        else:
            years = int(match[3])
            symbol = ">=" if match[4] in ("older", "over", "above") else "<="
        if not 12 <= years <= 120:
            continue
        # Age runs continuously: "older than 18" admits everyone aged 18 in whole years.
        if symbol == ">":
            symbol = ">="
        elif symbol == "<":
            symbol, years = "<=", years - 1
        found.append(Constraint("age", symbol, years))
    if (
        not found
        and re.search(r"(?<!young )\badults?\b", text)
        and not re.search(r"\b(?:adolescents?|child\w*|pediatric|paediatric)\b", text)
    ):
        found.append(Constraint("age", ">=", 18))
    return found


def extract_sex(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    text = BOTH_MENOPAUSAL_STATES.sub(" ", text)  # "pre- and post-menopausal" says nothing either way
    if re.search(r"childbearing|pregnan|potential|contracept|partner|sexual|sperm|condom|birth control", text):
        return []
    if MENOPAUSE_DEFINED.search(text):
        return []  # "postmenopausal: age >= 60 or amenorrhoea ..." defines a word
    opener = r"^\W*(?:adult\s+)?(?:(?:pre|post|peri)[\s-]?menopausal\s+)?(?:{})\b(?:\s+(?:patients?|participants?|subjects?|sex|gender))?(?:\s+only)?\s*(?:,|\.|$|aged?\b|>=|\d|with\b|who (?:are|have)\b|must be\s+(?:>=|\d|aged?\b|older|over)|diagnosed|of (?:any|all)\b|\()"
    females = re.match(opener.format("female|females|women|woman"), text)
    males = re.match(opener.format("male|males|men|man"), text)
    if re.search(
        r"\b(?:men|male|males)\b[^.;]{0,20}\b(?:women|female|females)\b|\b(?:women|female|females)\b[^.;]{0,120}\bor (?:\w+ )?(?:men|male|males)\b"
        r"|\b(?:women|female|females)\b[^.;]{0,20}\b(?:men|male|males)\b",
        text,
    ):
        return []
    if kind == INCLUSION and not negated and females:
        return [Constraint("sex", "in", ("female",))]
    if kind == INCLUSION and not negated and males:
        return [Constraint("sex", "in", ("male",))]
    if (kind == EXCLUSION) != negated and re.match(
        r"^\W*(?:male|males|men)\b(?: (?:patients|participants|subjects|with breast cancer))?\W*$|^\W*male breast cancer\W*$",
        text,
    ):
        return [Constraint("sex", "in", ("male",))]
    return []


EXTRACTORS: tuple[Extractor, ...] = (
    extract_age,
    extract_sex,
    extract_performance,
    extract_pregnancy,
    extract_hospice,
    extract_neuropathy,
    extract_brain,
    extract_other_cancer,
    extract_heart,
    extract_lung,
    extract_hepatitis,
    extract_hiv,
    extract_autoimmune,
    extract_stage,
    extract_measurable,
    extract_presentation,
    extract_prior_therapy,
    extract_lines,
    extract_hormone_receptor,
    extract_her2,
    extract_genes,
    extract_pd_l1,
)


OTHER_CANCER_TYPES = re.compile(
    r"\b(?:colorectal|colon|rectal|prostate|gastric|stomach|esophageal|oesophageal|gastroesophageal|pancreatic|ovarian|endometrial|cervical|lung|nsclc|sclc|melanoma|renal|bladder|urothelial|head and neck|hepatocellular|thyroid|lymphoma|leukemia|myeloma|sarcoma|glioma|glioblastoma|anal|nasopharyngeal|biliary|cholangiocarcinoma|mesothelioma|neuroendocrine|germ cell|testicular|crc|hcc|rcc|scchn|hnscc|aml|cml|nhl|pdac|escc|eoc|cervix|fallopian tube|primary peritoneal|gej|m?crpc|mpm|dlbcl|uterine)s?\b\s*(?:cancer|carcinoma|tumou?rs?|adenocarcinoma|malignan\w*)?"
)
BREAST_ONLY = {
    "extract_stage",
    "extract_measurable",
    "extract_hormone_receptor",
    "extract_her2",
    "extract_genes",
    "extract_pd_l1",
    "extract_presentation",
}
ANOTHER_CANCER = re.compile(
    r"\b(?:other|another|second|additional|multiple|separate)\s+(?:\w+\s+){0,2}?(?:primary\s+)?(?:malignan\w*|cancers?|carcinomas?|tumou?rs?)\b|\bsecond primary\b"
)
CARVE_OUT_BLIND = {
    extract_hormone_receptor,
    extract_her2,
    extract_genes,
    extract_pd_l1,
    extract_stage,
    extract_measurable,
    extract_lines,
}
ALTERNATIVES = re.compile(
    r"\b(?:any of|one of|either|at least (?:one|1) of|defined as|defined by|one or more of|as follows)\b"
)


# Cheap first looks: an extractor runs only when one of its words appears (plain substrings,
# so a look may let through text the extractor then ignores, never the other way round).
TRIGGERS = {
    "extract_age": ("age", "year", "yo", "adult"),
    "extract_sex": ("male", "women", "woman", "men", "man"),
    "extract_performance": ("ecog", "performance", "zubrod", "karnofsky", "kps", "ps", "who"),
    "extract_pregnancy": ("pregnan", "feed", "lactat", "nursing", "chorionic", "hcg"),
    "extract_hospice": ("hospice",),
    "extract_neuropathy": ("neuropath",),
    "extract_brain": ("brain", "cns", "central nervous", "intracranial", "cerebral", "parenchymal", "lepto", "mening"),
    "extract_other_cancer": ("malignan", "cancer", "carcinoma", "tumo", "neoplasm", "primary"),
    "extract_heart": (
        "card",
        "heart",
        "myocard",
        "angina",
        "nyha",
        "arrhythm",
        "coronary",
        "congestive",
        "stroke",
        "cerebrovascular",
        "fibrillation",
        "bypass",
        "stent",
        "valv",
        "qt",
        "rhythm",
        "endocard",
        "pericard",
    ),
    "extract_lung": (
        "lung",
        "ild",
        "pneumon",
        "pulmonary",
        "respiratory",
        "oxygen",
        "o2",
        "asthma",
        "copd",
        "emphysema",
        "obstructive",
    ),
    "extract_hepatitis": ("hepatitis", "hbv", "hcv", "hbsag"),
    "extract_hiv": ("hiv", "immunodeficiency", "aids"),
    "extract_autoimmune": ("immune", "connective tissue", "bowel", "crohn", "colitis"),
    "extract_stage": (
        "metasta",
        "stage",
        "advanced",
        "resect",
        "operable",
        "recurren",
        "curative",
        "adjuvant",
        "surgery",
        "m0",
        "m1",
        "mbc",
        "abc",
    ),
    "extract_measurable": ("measurable", "bone"),
    "extract_presentation": ("novo",),
    "extract_prior_therapy": (
        "prior",
        "previous",
        "receiv",
        "treat",
        "therap",
        "exposure",
        "exposed",
        "progress",
        "after",
        "following",
        "refractory",
        "resistant",
        "fail",
        "naive",
        "history",
        "had",
        "must have",
        "recurrence",
        "relapse",
    ),
    "extract_lines": ("line", "regimen", "course", "therap", "treatment", "untreated", "naive"),
    "extract_hormone_receptor": re.compile(r"\b(?:er|pr|pgr|hr)\b|receptor|estrogen|hormone|luminal|triple|tnbc"),
    "extract_her2": re.compile(r"her[\s-]?2|erbb2|ihc|ultra[\s-]?low|growth factor"),
    "extract_genes": ("brca", "palb2", "pik3ca", "esr1", "akt", "pten"),
    "extract_pd_l1": ("pd", "l1"),
}


TRIGGER_PATTERNS = {name: words for name, words in TRIGGERS.items() if isinstance(words, re.Pattern)}
_TRIGGER_WORDS = sorted(
    {word for words in TRIGGERS.values() if not isinstance(words, re.Pattern) for word in words}, key=len, reverse=True
)


# One scan for all the plain trigger words (longest first). A word hidden inside a longer
# one is missed, which can only leave an extractor unrun, never run one wrongly.
def _trie_pattern(words: list[str]) -> str:
    """One regex for many words, branching letter by letter (far faster than a flat alternation)."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def walk(node: dict) -> str:
        branches = [re.escape(char) + walk(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # A word may end here; the longer continuation is tried first.
        return f"(?:{body})?" if "" in node else body

    return walk(trie)


_TRIGGER_SCAN = re.compile(_trie_pattern(_TRIGGER_WORDS))
# A longer word found at a position implies every trigger word that is its prefix.
_TRIGGERED_BY = {
    found: {
        name
        for name, words in TRIGGERS.items()
        if not isinstance(words, re.Pattern) and any(found.startswith(w) for w in words)
    }
    for found in _TRIGGER_WORDS
}


@lru_cache(maxsize=8192)
def triggered(text: str) -> frozenset[str]:
    """The extractors worth running on a text."""
    names: set[str] = set()
    for found in _TRIGGER_SCAN.findall(text):
        names |= _TRIGGERED_BY[found]
    for name, pattern in TRIGGER_PATTERNS.items():
        if pattern.search(text):
            names.add(name)
    return frozenset(names)


def _logic(kind: str, negated: bool, constraints: list[Constraint], text: str, lexicon: Lexicon) -> str:
    if len(constraints) < 2:
        return "all"
    excludes = (kind == EXCLUSION) != negated
    concepts = {constraint.concept for constraint in constraints}
    if concepts == {"prior_lines"} or concepts == {"age"}:
        return "all"
    if all(
        "combination" in constraint.qualifiers for constraint in constraints if constraint.concept == "prior_therapy"
    ) and any("combination" in constraint.qualifiers for constraint in constraints):
        return "all"  # a combination of therapies was given together, both parts at once
    if excludes:
        # "With a germline BRCA mutation, without a prior PARP inhibitor": both at once; so is one
        # phrase naming several facts ("HER2-overexpressing metastatic breast cancer").
        conjoined = any(c.concept == "prior_therapy" and c.op == "not_received" for c in constraints)
        one_phrase = not re.search(r"\bor\b|\band\b|[,;]", text)
        return "all" if (conjoined and not negated) or one_phrase else "any"
    if not re.search(r"\bor\b|\beither\b", text):
        return "all"
    # Only an "or" left once the ones inside a single requirement are gone offers alternatives;
    # beside an "and" it is too tangled to read as one.
    joining = joining_words(text, lexicon)
    alternatives = re.search(r"\bor\b|\beither\b", joining) and not re.search(r"\band\b", joining.replace("and/or", ""))
    return "any" if alternatives else "all"


def joining_words(text: str, lexicon: Lexicon) -> str:
    """The text with every "or" that belongs inside one requirement taken out.

    "18 years or older", "histologically or cytologically", "ER and/or PR positive", "HER2-positive
    or HER2-low", "palbociclib or ribociclib", "stage II or III": each is one requirement, so
    "Women 18 years or older with ER- or PR-positive, HER2-negative disease" needs all of it.
    """
    spans = sorted((start, end) for _, start, end in lexicon.therapy_mentions(text))
    for start, end in reversed(spans):
        text = text[:start] + " therapyname " + text[end:]
    text = re.sub(r"\bthe following\b.*", " ", text)  # a lead's items are alternatives of their own
    text = re.sub(r"\s+", " ", text)
    previous = None
    while previous != text:
        previous = text
        for pattern in WITHIN_ONE_REQUIREMENT:
            text = re.sub(r"\s+", " ", pattern.sub(" ", text))
    return text


_VALUE = r"(?:positive|negative|low|ultra-?low|zero|0|\+|-|3\+|2\+|1\+|amplified|non-?amplified|overexpress\w*|mutat\w*|altered|wild[\s-]?type|expressing)"
_OR = r"(?:,? and/or|,? or|,)"
_ADVANCED = r"(?:locally[\s-]advanced|advanced|unresectable|non-?resectable|inoperable|non-?operable|recurrent|locally recurrent|locoregionally recurrent|relapsed)"
_METASTATIC = r"(?:metastatic|mbc|stage iv|distant)"
_DISEASE = r"(?: (?:breast )?(?:cancer|carcinoma|disease)(?: \(\w+\))?)?"
_EXTENT = rf"(?:{_ADVANCED}|{_METASTATIC})(?:(?: |/|-)(?:{_ADVANCED}|{_METASTATIC}))*{_DISEASE}"
_SITE = r"(?:bone|breast|liver|lung|lymph nodes?|nodal|skin|soft tissue|brain|visceral|chest wall|pleura)"
WITHIN_ONE_REQUIREMENT = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"\([^()]*\)|\[[^\[\]]*\]",
        r"\bor (?:older|more|greater|higher|above|over|less|lower|fewer|below|younger|equal|later|earlier|longer)\b|\bor =",
        r"\d+\s*[%+]?\s*(?:or|and/or)\s*\d+|,\s*or\W*$|\bor\W*$",
        r"\b(?:histolog|cytolog|patholog|histopatholog|radiolog|radiograph|clinical)\w*,? (?:and/or|or) (?:histolog|cytolog|patholog|radiolog|radiograph|clinical)\w*",
        r"\b(?:men|women|males?|females?),? (?:and/or|or) (?:non-?pregnant,? )?(?:non-?(?:breast-?feeding|lactating),? )?(?:men|women|males?|females?)\b",
        r"\b(?:primary|original) (?:tumou?r )?(?:and/or|or) (?:metastatic|recurrent)\b|\b(?:metastatic|recurrent) (?:and/or|or) primary\b|\barchival (?:and/or|or) fresh\b|\bfresh (?:and/or|or) archival\b",
        rf"\b{_EXTENT}(?:{_OR} (?:or )?{_EXTENT})+",
        r"\b(?:local|regional|locoregional)\w*,? (?:and/or|or) distant\b",
        rf"\b{_SITE},? (?:and/or|or) {_SITE}\b",
        r"\b(?:measurable|evaluable),? (?:and/or|or) (?:non-?measurable|evaluable|measurable)\b",
        rf"\b(?:er|pr|pgr|hr|estrogen|oestrogen|progesterone|hormone)(?:[\s-]*receptors?)?[\s-]*{_VALUE}?,? (?:and/or|or) (?:er|pr|pgr|hr|estrogen|oestrogen|progesterone|hormone)\b",
        rf"\bher-?2(?:/neu)?[\s-]*{_VALUE},? (?:and/or|or) (?:her-?2(?:/neu)?[\s-]*)?{_VALUE}(?![\w-])",
        r"\b(?:overexpression|amplification),? (?:and/or|or) (?:overexpression|amplification)\b",
        r"\b(?:ihc|ish|fish|immunohistochemistry)\b[^,;]{0,30}?\b(?:and/or|or)\b[^,;]{0,10}?\b(?:ihc|ish|fish|cish|sish|in situ|amplif\w*)",
        r"\b(?:ecog|ps|performance status)\b[^,;]{0,20}? or (?:kps|karnofsky)|\b(?:kps|karnofsky)\b[^,;]{0,20}? or (?:ecog|ps)\b",
        r"\b(?:brca1|brca2|palb2|pik3ca|esr1|akt1|pten|brca)\w*,? (?:and/or|or) (?:\w+ )?(?:brca1|brca2|palb2|pik3ca|esr1|akt1|pten|brca)\w*",
        r"\bstages?\s*(?:[0-4]|i{1,3}v?|iv)[abc]?(?:\s*(?:,|,? or|,? and/or|/|-|to)\s*(?:stage\s*)?(?:[0-4]|i{1,3}v?|iv)[abc]?\b)+",
        r"\b[cyp]?[tnm][0-4x+][a-d]?(?:-[0-4])?(?:/?[cyp]?[tnm][0-4x+][a-d]?(?:-[0-4])?)*(?:\s*(?:,|,? or|,? and/or|/)\s*[cyp]?[tnm][0-4x+][a-d]?(?:-[0-4])?(?:/?[cyp]?[tnm][0-4x+][a-d]?(?:-[0-4])?)*)+",
        r"(?:\beither )?therapyname(?:,? (?:and/or|or) (?:\w+ ){0,2}?therapyname)+|\beither (?:\w+ ){0,2}?therapyname",
        r"\b(?:surgery|resection|surgical resection),? (?:and/or|or) (?:therapyname|radiation|radiotherapy)|therapyname,? (?:and/or|or) (?:surgery|resection)\b",
        r"\b(?:treated|treatment|therapy|adjuvant|neoadjuvant|neo-adjuvant),? (?:and/or|or) (?:adjuvant|neoadjuvant|neo-adjuvant|metastatic|advanced)\b",
        r"\b(?:in|during|after|following|on|receiving|while on|while receiving),? (?:and/or|or) (?:after|following|within|during|on)\b",
        r"\bnot (?:suitable|amenable|eligible|a candidate|candidates?)\w* (?:to|for) [^,;.]*|\bor (?:its |a |their )?biosimilars?\b",
        r"\b(?:intolerant|resistant|refractory)(?: to| of)? (?:and/or|or) (?:intolerant|resistant|refractory)\b",
        r"\b(?:failed|without|refractory to|progressed on)\b[^,;]{0,30}?\bstandard (?:treatment|therapy|therapies)\b[^,;]{0,5} or [^,;]*",
    )
]


def _items(items: list[Item], inherited: str = "") -> Iterator[tuple[Item, str]]:
    for item in items:
        yield item, inherited
        lead = item.text if item.text.rstrip().endswith(":") else ""
        yield from _items(item.children, lead or inherited)


def _permitted_under(items: list[Item]) -> set[int]:
    """Items listed under an exclusion's permission ("Known HIV, HBV or HCV. The following
    participants may be enrolled:"): they say who is let in, not who is kept out."""
    found: set[int] = set()
    for item in items:
        if not (item.children and item.text.rstrip().endswith(":")):
            found |= _permitted_under(item.children)
            continue
        normal = normalise(item.text)
        permission = PERMISSION.search(normal)
        if (
            permission
            and not DENIAL.search(normal)
            and not re.search(r"\bnot\s+(?:\w+\s+)?$", normal[: permission.start()])
        ):
            found.update(id(child) for child in item.children)
        found |= _permitted_under(item.children)
    return found


INFORMATIONAL = re.compile(
    r"^\W*note\b|\bmedian follow-?up\b|\brefers to\b|\bto (?:characteri[sz]e|determine|confirm) (?:if|whether)\b|\b(?:(?:will|would|is|are|shall) be (?:defined|recorded|collected|documented|assessed|measured|evaluated|stratified|reviewed|used)|defined as|definition of|according to the following)\b"
)
NOT_A_CRITERION = re.compile(
    r"\bjustified\b|\brationale\b|^\W*note\b|\bmedian follow-?up\b|\brefers to\b|\bto (?:characteri[sz]e|determine|confirm|document) (?:if|whether)\b|\bmust (?:include|be performed|be collected|be submitted|be provided)\b"
    r"|\bno (?:limit\w*|restrictions?|maximum) (?:to|on|in|regarding|for) (?:the )?number\b"
    # "The threshold to qualify as ER positive is >= 1%" defines a word.
    r"|\bthreshold (?:to qualify|for (?:being )?(?:considered|called))\b"
    # "Patients already exposed to abemaciclib will be assigned another CDK4/6 inhibitor": who gets what.
    r"|\bwill (?:be (?:assigned|allocated|placed|given|offered|switched)|(?:begin|start|commence) (?:this|the|their))\b"
    # "Maintenance regimens are not considered separate regimens": how lines are counted.
    r"|\bnot (?:be )?(?:considered|counted) (?:as )?(?:an? |separate |additional |new )*(?:lines?|regimens?)\b"
)
# Menopause and childbearing potential are defined by lists of alternatives (age, surgery, hormone levels).
DEFINING_LEAD = re.compile(
    r"(?:menopaus|childbearing|reproductive potential)[^:]*\bdefined (?:(?:as|by)\b[^:]*\b(?:any|one|1|either) of|as follows|(?:as|by)\W*$)"
)
GRANTED = re.compile(
    r"^\W*(?:patients?|participants?|subjects?|those|women|men|individuals)\b[^.;]{0,120}?\b(?:are|is) (?:also )?(?:allowed|eligible|permitted)\b"
)
MENOPAUSE_WORDS = re.compile(
    r"\b(?:age|aged|years|menstrua\w*|menses|amenorrh\w*|oophorectom\w*|hysterectom\w*|fsh|follicle|estradiol|ovar\w*|lhrh|gnrh|\w*menopaus\w*)\b"
)
CONDITIONAL_ANYWHERE = re.compile(
    r"\bif (?:no|not) contra-?indicat\w*|\bif (?:these|this|they|available|locally|approved)\b|\bthese (?:patients|participants|subjects)\b|\bin the case of\b|\b1\)[^;]*\bor\s*\(?2\)"
)
# "... including checkpoint inhibitors and PARP inhibitors if indicated": the therapies are conditional,
# the rest of the criterion is not.
THERAPY_CONDITION = re.compile(r"\bif (?:applicable|indicated|appropriate|clinically indicated|eligible)\b")
CONDITIONAL = re.compile(
    r"^\W*for [^:]{3,80}:|^\W*for (?:[\w+/()-]+\s+){1,4}(?:patients?|participants?|subjects?|women|men)\b[^.;:]{0,60},|^\W*(?:donors?|caregivers?|partners?|parents?|guardians?|controls?)\b[^:]{0,30}:|^\W*(?:patients?|participants?|subjects?|women|men|those)\s+(?:aged|with|who|whose|receiving|on|in)\b[^:]{0,80}:|^\W*(?!(?:the|all|eligible|adult|female|male)\s)[\w+()/-]+(?:\s+[\w+()/-]+){0,5}?\s+(?:patients?|participants?|subjects?)\s+(?:must|should|need|are required)\b|^\W*(?:if\b|for (?:patients?|participants?|subjects?|those|women|men)\b|(?:(?:female|male|adult|pre-?menopausal|post-?menopausal)\s+)?(?:patients?|participants?|subjects?|those|women|men|individuals)\s+(?:with|who (?:have|had|are|were|received|progress\w*|relapse\w*|recur\w*|develop\w*|experience\w*)|whose|receiving|on)\b[^.;]{0,120}?\b(?:must|should|need|are required|will need|require|will be required)\b)"
)
MEASURABLE_OPTIONAL = re.compile(
    r"\b(?:evaluable|non-?measurable|without measurable)\b[^.;]{0,80}\b(?:allowed|permitted|eligible|acceptable)\b"
    r"|\bor (?:\w+ ){0,3}(?:evaluable|non-?measurable)\b(?! (?:disease )?only)"
    r"|\b(?:allow|permit)\w*\s+(?:\w+\s+){0,3}(?:evaluable|non-?measurable)\b"
)
LIMIT_WORDING = re.compile(r"(?:<=|\bup to|\ba maximum of|\bmaximum)\s*\(?\d")
DEFINITION = re.compile(r"\b(?:as )?defined (?:as|by)\b")
EXCLUSION_NOT_ALLOWED = re.compile(r"^\W*no\b.*\b(?:is|are)?\s*(?:allowed|permitted|accepted)\W*$")


def _list_parts(text: str) -> list[str]:
    """A list's parts split at commas and semicolons outside brackets ("breast (TNBC, HR+), NSCLC")."""
    parts, depth, current = [], 0, []
    for char in text:
        depth += char in "([" and 1 or char in ")]" and -1 or 0
        if char in ",;" and depth <= 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    return [*parts, "".join(current)]


def _agreed_breast_biology(
    extractor: Extractor, parts: list[str], kind: str, negated: bool, lexicon: Lexicon
) -> list[Constraint]:
    """What every breast cancer a basket trial lists must be ("TNBC, HR+/HER2- breast cancer, ..."
    share HER2-negative), or nothing when the parts disagree."""
    # "breast cancer (TNBC, HR+/HER2-, HR-/HER2+)": each bracketed subtype is a part of its own.
    subtypes = []
    for part in parts:
        listed = re.search(r"\(([^()]*[,;][^()]*)\)", part)
        subtypes.extend(_list_parts(listed[1]) if listed else [part])
    found = []
    for part in subtypes:
        constraints = extractor(part, kind, negated, lexicon)
        if extractor is extract_her2 and not constraints and not re.search(HER2_NAME, part):
            if extract_hormone_receptor(part, kind, negated, lexicon) == [Constraint("triple_negative", "is", True)]:
                constraints = [Constraint("her2", "in", HER2_NEGATIVE_SET)]
        found.append(constraints)
    return found[0] if found and all(constraints == found[0] for constraints in found) else []


def extract_item(
    text: str, kind: str, lexicon: Lexicon, lead: str = "", denied: bool = False, whole_item: str = ""
) -> tuple[list[Constraint], bool, str]:
    """The constraints one criterion item yields, whether it is negated, and the logic joining them.

    `text` may be one sentence of a longer item; `whole_item` is then the item itself.
    """
    # "STEP 2: RANDOMIZATION: Participants must not ...": the label names when it applies.
    normal = STEP_LABEL.sub("", normalise(text))
    context = normalise(lead)
    if not triggered(f"{context} {normal}".strip() if context else normal):
        return [], False, "all"  # no extractor has a word to go on (labs, consent, contraception...)
    negated = bool(NEGATED_START.match(normal))
    if negated and kind == EXCLUSION and EXCLUSION_NOT_ALLOWED.match(normal):
        # "No prior chemotherapy is allowed" under exclusions: the therapy is what excludes.
        negated = False
        normal = re.sub(r"^\W*no\s+", "", normal)
    elif negated and kind == EXCLUSION and not denied:
        # "No prior chemotherapy" under an exclusion heading reads both ways (older records list
        # such lines under exclusions when they mean requirements): the study team checks it.
        return [], False, "all"
    if not negated and context and NEGATED_START.match(context):
        negated = True
    negated = negated != denied
    if (
        context
        and re.search(r"\b(?:except\w*|excluding|other than|unless)\b[^.;]{0,80}:?\W*$", context)
        and re.search(r"\b(?:malignan\w*|cancers?|carcinomas?|tumou?rs?)\b", context)
        and re.search(r"\b(?:cancers?|carcinomas?|malignan\w*|tumou?rs?|melanoma|neoplasms?|in situ)\b", normal)
        and len(normal) < 200
    ):
        return [], False, "all"  # cancers listed under "another malignancy, except:" are let through
    if kind == EXCLUSION and GRANTED.match(normal):
        return [], False, "all"  # "Participants with HIV are allowed if ...": listed with exclusions, excludes nothing
    if NOT_A_CRITERION.search(normal) or (
        DEFINING_LEAD.search(context) and MENOPAUSE_WORDS.search(normal) and len(normal) < 120
    ):
        # Items under "Postmenopausal, defined by any of the following:" define a word, they do not
        # each require something.
        return [], False, "all"
    note = re.search(r"\bnote\s*\d*\s*:", normal)
    with_note = normal  # "Brain metastases. Note: treated, stable ones are allowed" still softens the exclusion
    if note and note.start() > 0:
        normal = normal[: note.start()]  # a note inside an item explains, it does not require
    definition = DEFINITION.search(normal)
    defined = re.search(r"\b(?:will be|is|are|shall be)\s+(?:\w+\s+)?defined\b", normal)
    # "... breast cancer that is HER2-low. HER2-low is defined as ...": the requirement comes in an
    # earlier sentence, and the defining sentence is left out whole.
    sentence_end = max(normal.rfind(mark, 0, defined.start()) for mark in (". ", "; ", " (")) if defined else -1
    if defined and sentence_end > 0:
        normal = normal[: sentence_end + 1]
    elif defined:
        return [], False, "all"  # a definition, not a requirement
    if definition and definition.start() > 3:
        # "HER2-negative breast cancer, defined as IHC 0 or 1+": the requirement comes first.
        normal = normal[: definition.start()]
    elif INFORMATIONAL.search(normal) and not re.search(r"\bmust\b", normal):
        return [], False, "all"
    # A lead-in such as "Prior treatment with any of the following:" gives its items their verb.
    combined = f"{context} {normal}".strip() if context else normal
    limit_wording = LIMIT_WORDING.search(normal)
    if (
        kind == INCLUSION
        and not negated
        and not limit_wording
        and not (PERMISSION.search(normal) and OPENING_REQUIREMENT.match(normal) and not DENIAL.search(normal))
        # "ER+ (any PR and HER2 status is allowed) metastatic breast cancer" still requires the rest.
        and (PERMISSION.search(re.sub(r"\([^)]*\)", " ", normal)) or (ELIGIBILITY_DENIED.search(normal) and not denied))
    ):
        # "Patients with treated brain metastases are eligible": a permission, not a requirement;
        # "... are not eligible for part A" inside an inclusion item is too tangled to read safely.
        return [], False, "all"
    exception = EXCEPTIONS.search(normal)
    # Carve-outs ("except endocrine therapy for HR-positive disease") are not requirements.
    main_clause = normal[: exception.start()] if exception else normal
    main_clause = re.sub(r"\(\s*if\b[^()]*\)", " ", main_clause)  # "endocrine therapy (if ER+)" asks no ER status
    unbracketed = re.sub(r"\([^()]*\)", lambda aside: " " * len(aside[0]), main_clause)
    # "... PARP inhibitors if indicated, but less than 4 lines": that "if" qualifies the drugs alone.
    condition = (
        re.search(
            r"\bif\b(?! (?:clinically )?(?:indicated|applicable|appropriate|eligible|available|possible|feasible|necessary|needed)\b)",
            unbracketed,
        )
        if kind == INCLUSION and not negated
        else None
    )
    if condition and condition.start() > 0:
        # "Age 30 or older if HER2-positive": a condition, not a need. "HER2-negative, or, if
        # HER2-positive, unable to receive trastuzumab": an alternative, so neither part is certain.
        before = main_clause[: condition.start()]
        main_clause = "" if re.search(r"\bor\W*$", before) else before
    # In an exclusion, a later sentence's "if they ..." qualifies the permission it grants, not the exclusion.
    conditional_scope = re.split(r"\.\s+", normal, maxsplit=1)[0] if kind == EXCLUSION else normal
    conditional_scope = re.sub(r"\bbecause\b.*", "", conditional_scope)  # a reason given, not a condition
    numbered = re.search(r"\b1\)[^;]*\bor\s*\(?2\)", conditional_scope)
    if (
        kind == INCLUSION
        and numbered
        and numbered.start() > 20
        and not CONDITIONAL.match(normal)
        and not CONDITIONAL_ANYWHERE.search(conditional_scope[: numbered.start()])
    ):
        # "Has received ET for advanced disease and has 1) ... or 2) ...": the words before the
        # numbered alternatives hold for both, so they are read; the alternatives are not.
        normal = re.sub(r"\s*(?:,|and|and has|and have|with)?\s*$", "", normal[: numbered.start()])
        main_clause = normal
        conditional_scope = normal
    childbearing = re.search(r"\b(?:childbearing|child-bearing|reproductive) potential\b[^.;]{0,80}\bmust\b", normal)
    if CONDITIONAL.match(normal) or CONDITIONAL_ANYWHERE.search(conditional_scope) or childbearing:
        # "Patients with ER-positive disease must have had endocrine therapy": it applies to
        # some patients only, and which ones the engine cannot tell; the study team checks it.
        # Pregnancy is the exception: "women who could become pregnant must not be" covers anyone pregnant.
        # "Participants with ER+ disease of childbearing potential must undergo ovarian suppression"
        # asks something of women who could become pregnant only.
        found = extract_pregnancy(normal, kind, negated, lexicon)
        if (
            kind == EXCLUSION
            and not negated
            and re.match(r"^\W*(?:patients?|participants?|subjects?|those)\s+(?:with|who have)\b", normal)
        ):
            # "Participants with hepatitis B must have undetectable viral load": having it is asked about.
            found += [
                replace(c, specific=True)
                for c in extract_hepatitis(normal, kind, negated, lexicon) + extract_hiv(normal, kind, negated, lexicon)
            ]
        return found, negated, "all"
    # "... for all tumour types other than mesothelioma" is about the others, breast cancer included.
    listed = normal
    if "other than" in normal or "except" in normal or "excluding" in normal:
        listed = re.sub(r"\b(?:other than|except(?: for)?|excluding)\s+[^,;()]*", " ", normal)
    cancer_types = len(set(OTHER_CANCER_TYPES.findall(listed)))
    # A criterion about another cancer, or a basket trial's list of cancers.
    other_cancer = (cancer_types >= 1 and not re.search(r"\bbreast\b", normal)) or cancer_types >= 2
    constraints: list[Constraint] = []
    softened_exclusion = kind == EXCLUSION and bool(PERMISSION.search(normal))
    worth_running = triggered(combined)
    # "HER2-negative cancers that have no approved HER2 therapy" excludes only some HER2-negative ones.
    qualified_exclusion = kind == EXCLUSION and re.search(
        r"\b(?:that|which|who) (?:have|has|had) no\b|\bfor which (?:there (?:is|are) )?no\b", normal
    )
    about_another_cancer = other_cancer or bool(ANOTHER_CANCER.search(normal))
    basket_with_breast = cancer_types >= 2 and re.search(r"\bbreast\b|\btnbc\b", normal)
    # A basket trial's list ("metastatic triple negative breast cancer, ovarian cancer, ...") says
    # what a breast cancer must be in the part that names it; of several such parts, only what
    # they agree on is required.
    breast_parts = (
        [part for part in _list_parts(main_clause) if re.search(r"\bbreast\b|\btnbc\b|\bbc\b", part)]
        if basket_with_breast
        else []
    )
    for extractor in EXTRACTORS:
        if extractor.__name__ not in worth_running:
            continue
        breast_biology = (
            _agreed_breast_biology(extractor, breast_parts, kind, negated, lexicon)
            if basket_with_breast and extractor in (extract_hormone_receptor, extract_her2)
            else None
        )
        if about_another_cancer and (
            (
                extractor.__name__ in BREAST_ONLY
                and not (basket_with_breast and extractor in (extract_stage, extract_measurable))
                and not breast_biology
            )
            or extractor is extract_prior_therapy
            or extractor is extract_lines
        ):
            continue  # a basket trial's criterion for another cancer
        if extractor is extract_prior_therapy and THERAPY_CONDITION.search(conditional_scope):
            continue
        if qualified_exclusion and (extractor.__name__ in BREAST_ONLY or extractor is extract_prior_therapy):
            continue
        if softened_exclusion and extractor.__name__ in BREAST_ONLY:
            continue  # "... are allowed if all tumours were ER-positive" is a carve-out, not an exclusion
        if extractor is extract_prior_therapy:
            # The lead lends its verb ("Prior treatment with any of:") to an item naming a therapy.
            source = combined if context and lexicon.therapy_mentions(normal) else normal
        elif breast_biology and about_another_cancer:
            constraints.extend(c for c in breast_biology if c not in constraints)
            continue
        elif extractor in CARVE_OUT_BLIND:
            source = main_clause
        elif extractor is extract_brain and kind == EXCLUSION:
            source = with_note
        else:
            source = normal
        for constraint in extractor(source, kind, negated, lexicon):
            if constraint not in constraints:
                constraints.append(constraint)
    item_text = normalise(whole_item) if whole_item else with_note
    optional = any(c.concept == "measurable_disease" for c in constraints) and MEASURABLE_OPTIONAL.search(item_text)
    if optional and not OTHER_CANCER_TYPES.search(item_text[max(0, optional.start() - 80) : optional.end() + 40]):
        # "Measurable disease per RECIST. Evaluable disease is allowed in dose escalation": another
        # sentence, or the words after a definition, make measurable disease optional.
        constraints = [c for c in constraints if c.concept != "measurable_disease"]
    if any(c.concept == "triple_negative" for c in constraints) and not re.search(
        r"\bor\b", re.sub(r"\([^)]*\)", " ", normal)
    ):
        # "Triple negative (ER-PR-HER2-)": the brackets spell out what triple-negative already says.
        constraints = [
            c
            for c in constraints
            if not (c.concept == "her2" and set(c.value) == set(HER2_NEGATIVE_SET))
            and not (c.concept == "hormone_receptor" and c.value == "negative")
        ]
    if (
        (kind == EXCLUSION) != negated
        and len(constraints) > 1
        and re.search(r"\b(?:tnbc|triple[\s-]negative(?: breast cancer)?)(?: \(tnbc\))? (?:whose|with|that)\b", normal)
    ):
        # "Has TNBC with PD-L1 CPS >= 10" excludes the PD-L1-positive ones, not triple-negative cancer.
        constraints = [c for c in constraints if c.concept != "triple_negative"]
    if any(c.concept == "prior_lines" and c.scope == "total" for c in constraints):
        # "No prior systemic therapy for metastatic disease (chemotherapy or endocrine therapy)": the
        # count of lines already says it; the generic classes in the metastatic setting repeat it.
        constraints = [
            c
            for c in constraints
            if not (
                c.concept == "prior_therapy"
                and "metastatic_setting" in c.qualifiers
                and set(c.value) <= {"class:chemotherapy", "class:endocrine_therapy"}
            )
        ]
    if (kind == EXCLUSION) != negated:
        constraints = _as_lines(constraints)
    return constraints, negated, _logic(kind, negated, constraints, normal, lexicon)


LINE_SCOPE_OF_CLASS = {"class:chemotherapy": "chemotherapy", "class:endocrine_therapy": "endocrine"}


def _as_lines(constraints: list[Constraint]) -> list[Constraint]:
    """ "Prior chemotherapy in the metastatic setting" excludes anyone with a line of it there.

    The profile counts lines for metastatic disease, so the count answers what the drug list cannot
    (it does not say in which setting a drug was given).
    """
    result: list[Constraint] = []
    for constraint in constraints:
        generic = (
            [value for value in constraint.value if value in LINE_SCOPE_OF_CLASS]
            if constraint.concept == "prior_therapy"
            else []
        )
        if (
            not generic
            or constraint.op != "received_any"
            or constraint.specific
            or constraint.qualifiers != ("metastatic_setting",)
        ):
            result.append(constraint)
            continue
        result.extend(Constraint("prior_lines", ">=", 1, scope=LINE_SCOPE_OF_CLASS[value]) for value in generic)
        rest = tuple(value for value in constraint.value if value not in LINE_SCOPE_OF_CLASS)
        if rest:
            result.append(Constraint("prior_therapy", "received_any", rest, qualifiers=constraint.qualifiers))
    return list(dict.fromkeys(result))


DENIED_AT_END = re.compile(
    r"\b(?:is|are|will be) not (?:permitted|allowed|eligible|accepted)\W*$|\b(?:is|are) (?:prohibited|excluded)\W*$|\bnot eligible\W*$"
)
SENTENCE_BREAK = re.compile(
    r"(?<=[a-z0-9%)\]]\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)(?<!\betc\.)(?<!\bno\.)\.*\s+(?=\(?[A-Z][a-z])|(?<=;)\s+(?=[A-Z][a-z])"
)


def sentences(text: str, kind: str) -> list[str]:
    """An item's sentences, when they can be read one by one.

    An exclusion item whose later sentence softens it ("Brain metastases. Treated, stable
    ones are allowed.") stays whole, so the softening is read with it.
    """
    parts = [part.strip() for part in SENTENCE_BREAK.split(text) if part.strip()]
    if len(parts) < 2 and text.count(";") >= 1:
        # "postmenopausal women; metastatic disease; positive hormone receptor status;"
        clauses = [part.strip() for part in text.split(";") if part.strip()]
        if len(clauses) >= 2 and all(len(clause) <= 160 for clause in clauses):
            parts = clauses
    if len(parts) < 2:
        return [text]
    if kind == EXCLUSION and any(
        PERMISSION.search(normalise(part)) or SOFTENER.search(normalise(part)) for part in parts[1:]
    ):
        return [text]
    return parts


BIOLOGY_CONCEPTS = {"her2", "hormone_receptor", "triple_negative"}
STAGE_CONCEPTS = {"metastatic_disease", "early_stage"}


def _engine_fingerprint() -> str:
    """Changes whenever the code that reads criteria changes, so stored rules are refreshed."""
    here = Path(__file__).resolve()
    sources = [
        here,
        here.with_name("rules.py"),
        here.with_name("lexicon.py"),
        here.with_name("firmness.py"),
        here.parent.parent / "criteria.py",
    ]
    return hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()[:12]


ENGINE_FINGERPRINT = _engine_fingerprint()


def rules_version(lexicon: Lexicon) -> str:
    """What stored rules were extracted with: this lexicon and this version of the engine."""
    return f"{lexicon.version[:12]}-{ENGINE_FINGERPRINT}"


def _carry_scope(rules: list[Rule]) -> list[Rule]:
    """Lines that go on about a scoped line's subject share its scope.

    "Triple-negative disease only (phase II)" followed by "ER and PR negative" and "HER2
    negative": the later lines spell out the phase II requirement, not one for everyone.
    """
    carried = []
    scope, family, distance = "", set(), 0
    for rule in rules:
        concepts = {constraint.concept for constraint in rule.constraints}
        distance += 1
        if rule.cohort:
            scope, family, distance = rule.cohort, _families(concepts), 0
        elif scope and concepts and _families(concepts) <= family and distance <= 3:
            rule = replace(rule, cohort=scope)
            distance = 0
        elif concepts or distance > 3:
            scope, family = "", set()
        carried.append(rule)
    return carried


def _families(concepts: set[str]) -> set[str]:
    return {
        "biology" if concept in BIOLOGY_CONCEPTS else "stage" if concept in STAGE_CONCEPTS else concept
        for concept in concepts
    }


def extract(text: str, lexicon: Lexicon) -> list[Rule]:
    """Every criterion of a trial's eligibility text as a rule, assessed or not."""
    return _doubt_low_receptor_threshold(_doubt_self_contradictions(_carry_scope(_extract(text, lexicon))))


# "ER < 10%", "ER-low", "weakly positive": a trial that counts low expression as negative.
LOW_RECEPTOR_THRESHOLD = re.compile(
    r"\b(?:er|pr|pgr|estrogen|oestrogen|progesterone|hormone)\b[^;]{0,50}?(?:<|<=|≤|less than|below|under)\s*(?:[2-9]|[1-9]\d)\s*%"
    r"|\b(?:er|hr|pr)[\s-]?low\b|\bweakly (?:er[\s-]?|pr[\s-]?|hormone[\s-]receptor[\s-]?)?positive\b|\blow[\s-]positive\b",
    re.IGNORECASE,
)


def _doubt_low_receptor_threshold(rules: list[Rule]) -> list[Rule]:
    """Where a trial counts low receptor expression as negative, "ER-negative" or "triple-negative"
    is not what her report says: a receptor-positive answer may still fit, so the reading is tentative."""
    if not any(LOW_RECEPTOR_THRESHOLD.search(normalise(rule.text)) for rule in rules):
        return rules

    def about_negative_receptors(rule: Rule) -> bool:
        return any(
            c.concept == "triple_negative" or (c.concept == "hormone_receptor" and c.value == "negative")
            for c in rule.constraints
        )

    return [
        replace(rule, doubts=(*rule.doubts, "receptor threshold")) if about_negative_receptors(rule) else rule
        for rule in rules
    ]


def _overlaps(one: Constraint, other: Constraint) -> bool:
    if one.concept != other.concept or one.op != other.op or one.scope != other.scope:
        return False
    if one.op == "in":
        return bool(set(one.value) & set(other.value))
    return one.op in ("is", "received_any", "received_all") and one.value == other.value


def _doubt_self_contradictions(rules: list[Rule]) -> list[Rule]:
    """An exclusion of what the trial itself requires must mean something narrower.

    "Metastatic lesion to the heart or eye" in a trial for metastatic disease, or
    "brain metastatic disease" read as "metastatic disease": the reading cannot be the
    trial's meaning, so it is tentative.
    """
    required = [
        constraint
        for rule in rules
        if not rule.excludes
        and not rule.alternative
        and not rule.cohort
        and (rule.logic == "all" or len(rule.constraints) == 1)
        for constraint in rule.constraints
    ]
    if not required:
        return rules
    return [
        replace(rule, doubts=(*rule.doubts, "contradicts the trial's own requirement"))
        if rule.excludes and any(_overlaps(c, need) for c in rule.constraints for need in required)
        else rule
        for rule in rules
    ]


def _extract(text: str, lexicon: Lexicon) -> list[Rule]:
    rules: list[Rule] = []
    number = 0
    previous_or = False
    for section in parse(text or ""):
        kind = EXCLUSION if section.kind == EXCLUSION else INCLUSION
        permitted = _permitted_under(section.items) if kind == EXCLUSION else set()
        for item, lead in _items(section.items):
            if not item.text.strip() or (item.children and item.text.rstrip().endswith(":") and len(item.text) < 200):
                continue
            if (
                item.text.rstrip().endswith(",")
                and len(item.text) < 80
                and re.match(
                    r"\W*(?:regarding|concerning|with (?:regard|respect) to|as for|for|in|among|if|when)\b",
                    item.text,
                    re.I,
                )
            ):
                # "Regarding prior olaparib or palbociclib," opens a thought the next item finishes; a list
                # written with commas at the ends of its items ("Measurable disease per RECIST,") does not.
                number += 1
                rules.append(Rule(kind=kind, text=item.text.strip(), item=number, heading=section.heading))
                continue
            number += 1
            # "... progression on a CDK4/6 inhibitor OR" / next item: either of them will do.
            or_chain = bool(re.search(r"\bor\W*$", item.text.strip(), re.IGNORECASE)) or previous_or
            previous_or = bool(re.search(r"\bor\W*$", item.text.strip(), re.IGNORECASE))
            soft_lead = bool(lead and (ALTERNATIVES.search(normalise(lead)) or PERMISSION.search(normalise(lead))))
            seen_in_item: set[tuple[Constraint, bool]] = set()
            first_of_item = len(rules)
            # "Note 2: Chemotherapy refers to ...": every sentence of a note explains, none requires;
            # nor does a proviso listed under a permission.
            no_requirement = bool(re.match(r"\W*note\b", item.text, re.IGNORECASE)) or id(item) in permitted
            for sentence in sentences(item.text.strip(), kind):
                normal = normalise(sentence)
                # "Prior neratinib is not permitted" among inclusion criteria excludes it.
                denied = kind == INCLUSION and bool(DENIED_AT_END.search(normal)) and not NEGATED_START.match(normal)
                constraints, negated, logic = (
                    ([], False, "all")
                    if no_requirement
                    else extract_item(sentence, kind, lexicon, lead, denied, item.text)
                )
                # A later sentence of the same item restating a constraint adds nothing.
                constraints = [c for c in constraints if (c, negated) not in seen_in_item]
                seen_in_item.update((c, negated) for c in constraints)
                negated = negated and bool(constraints)
                rules.append(
                    Rule(
                        kind=kind,
                        text=sentence,
                        constraints=tuple(constraints),
                        logic=logic,
                        negated=negated,
                        cohort=item.cohort or scope_of(sentence),
                        alternative=soft_lead or or_chain or bool(CONDITIONAL.match(normal)),
                        heading=section.heading,
                        item=number,
                        doubts=doubts(sentence, item.text, lead, constraints, negated),
                    )
                )
            rules[first_of_item:] = _loosest_line_limits(rules[first_of_item:])
    return rules


def _loosest_line_limits(item_rules: list[Rule]) -> list[Rule]:
    """Several caps on the same lines in one item are for different groups: the loosest stands.

    "No more than 1 prior hormonal regimen (group 1). No more than 2 (groups 2 and 3)": a
    patient with two is still a fit for groups 2 and 3.
    """

    def caps(rule: Rule) -> list[Constraint]:
        if rule.negated:
            return []
        return [c for c in rule.constraints if c.concept == "prior_lines" and c.op == "<="]

    def loosest_elsewhere(rule: Rule, scope: str) -> int:
        return max(
            (c.value for other in item_rules if other is not rule for c in caps(other) if c.scope == scope), default=-1
        )

    if sum(1 for rule in item_rules if caps(rule)) < 2:
        return item_rules  # one sentence with two caps ("up to 3 in all, no more than 2 for MBC") means both
    return [
        replace(
            rule,
            constraints=tuple(
                c for c in rule.constraints if not (c in caps(rule) and c.value < loosest_elsewhere(rule, c.scope))
            ),
        )
        for rule in item_rules
    ]
