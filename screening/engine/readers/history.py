"""Reading medical history from criterion wording: brain metastases, another cancer, heart and
lung conditions, hepatitis, HIV, autoimmune disease."""

from __future__ import annotations

import re

from screening.engine.clauses import DENIAL, PERMISSION, SOFTENER, WASHOUT, is_catch_all, only_as_example
from screening.engine.lexicon import Lexicon
from screening.engine.readers import reader
from screening.engine.rules import EXCLUSION, INCLUSION, Constraint

BRAIN = re.compile(
    r"(?<!non-)(?<!non )\b(?:brain|intracranial|cerebral|parenchymal)\b[\w\s,()/-]{0,40}?\b(?:metasta\w*|mets|lesions?|involvement|spread)\b"
    r"|(?<!non-)(?<!non )\b(?:cns|central nervous system)\b[\w\s,()/-]{0,40}?\b(?:metasta\w*|mets|lesions?|disease|involvement|spread)\b"
    r"|\b(?:metasta\w*|spread\w*) (?:to|in|of|into) the (?:brain|central nervous system|cns)\b|\bbrain mets\b|\b(?:intracranial|brain|cns|central nervous system)(?: parenchymal)? (?:disease )?progression\b"
)
LEPTO = re.compile(
    r"\b(?:leptomeningeal|carcinomatous meningitis|meningeal carcinomatosis|neoplastic meningitis|meningeal metasta\w*)\b"
    r"|\bbrain or meningeal metasta\w*"
)
ACTIVE_BRAIN = re.compile(
    r"\b(?:untreated|active|symptomatic|progressive|progressing|progression|unstable|uncontrolled|new|newly|growing|intact|not (?:been )?(?:adequately |previously )?treated|requir\w* (?:immediate |urgent |local )*(?:steroids?|corticosteroids?|treatment|therapy|radiation|intervention)|require (?:immediate )?(?:local )?(?:therapy|treatment))\b"
)
PRIMARY_BRAIN = re.compile(
    r"\bprimary (?:brain|cns|central nervous system|intracranial)(?: \(cns\))? (?:tumou?r|malignanc|cancer|neoplasm|lesion)\w*"
)
TREATED_STABLE = re.compile(r"\b(?:treated|stable|stability|asymptomatic|irradiated|radiated|resected)\b")


@reader(
    triggers=("brain", "cns", "central nervous", "intracranial", "cerebral", "parenchymal", "lepto", "mening"),
    notes_in_exclusions=True,
)
def extract_brain(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    text = re.sub(r"\bnon[\s-](?:central nervous system|cns)(?:\s*\(cns\))?", "extracranial", text)
    # A cancer that starts in the brain ("solid tumours, excluding primary brain tumours") is not
    # one that spread there.
    text = PRIMARY_BRAIN.sub("primary neural tumour", text)
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


@reader(triggers=("malignan", "cancer", "carcinoma", "tumo", "neoplasm", "primary"))
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


@reader(
    triggers=(
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
    )
)
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


@reader(
    triggers=(
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
    )
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


@reader(triggers=("hepatitis", "hbv", "hcv", "hbsag"))
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


@reader(triggers=("hiv", "immunodeficiency", "aids"))
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


@reader(triggers=("immune", "connective tissue", "bowel", "crohn", "colitis"))
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
