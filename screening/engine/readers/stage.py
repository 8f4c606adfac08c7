"""Reading stage and spread from criterion wording: metastatic, advanced or early disease,
measurable disease, de novo presentation."""

from __future__ import annotations

import re

from screening.engine.clauses import DISEASE_WORDS, PERMISSION, THERAPY_HISTORY
from screening.engine.lexicon import Lexicon
from screening.engine.readers import reader
from screening.engine.readers.history import OTHER_CANCER
from screening.engine.readers.therapy import LINES_NUMBER
from screening.engine.rules import EXCLUSION, INCLUSION, Constraint

METASTATIC = re.compile(
    r"\b(?:metastatic|stage iv|stage 4|mbc|m1|metastasi[sz]ed|distant metasta\w*|distant recurrence|distant disease)\b"
    # "Carcinoma of the breast with metastases": the cancer itself has spread.
    r"|\b(?:cancer|carcinoma|adenocarcinoma|disease)(?: of the breast)? with metasta(?:ses|sis)\b"
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
# "Stage III or IV", "stage IIIB, IIIC, or IV": stage III (any of its letters) and stage IV.
_STAGE_SEPARATOR = r"\s*(?:/|-|to|or|and|,)(?:\s*(?:or|and)\b)?\s*"
STAGE_THREE_OR_FOUR = re.compile(
    rf"\bstages?\s*(?:iii|3)[abc]?(?:{_STAGE_SEPARATOR}(?:stage\s*)?(?:iii|3)[abc]?)*{_STAGE_SEPARATOR}(?:stage\s*)?(?:iv|4)\b"
)


@reader(
    triggers=(
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
    breast_only=True,
    in_baskets=True,
    main_clause_only=True,
)
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
            # "non-metastatic", "no distant metastases"; not "non-resectable stage IV"
            r"(?:\b(?:no|without|absence of|free of)\b[\w\s]{0,25}|\bnon[\s-]?)$",
            text[: metastatic.start()],
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


@reader(triggers=("measurable", "bone"), breast_only=True, in_baskets=True, main_clause_only=True)
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


_SPREAD_PLACE = r"(bone|osseous|skeletal|liver|hepatic|lung|pulmonary)"
PLACE_OF = {"osseous": "bone", "skeletal": "bone", "hepatic": "liver", "pulmonary": "lung"}
SPREAD_REQUIRED = re.compile(
    rf"(?:\b(?:at least (?:one|1)|one or more|1 or more)|>= ?1)\s+(?:\w+\s+){{0,2}}?{_SPREAD_PLACE}\s+"
    r"(?:metastas[ie]s|metastatic (?:lesion|site|deposit)s?|lesions?|sites?|deposits?)\b"
    rf"|\binvolving (?:(?:at least|>=) ?(?:one|1) )?{_SPREAD_PLACE} (?:metastas[ie]s|lesions?|sites?)\b"
    rf"|\bevidence of {_SPREAD_PLACE} (?:metastas[ie]s|lesions?)\b"
)
# A place named for who a limit is for ("<= 5 x ULN in patients with liver metastases"), as one
# way in ("measurable disease or at least one lytic bone lesion"), or in an exception, is no
# requirement to have spread there; nor is one in a rule about what counts as measurable.
_SPREAD_ASIDE = re.compile(
    r"\b(?:in|for|if|when|unless|except|excluding|other than|no|without|absence of|free of|or|either)\b[^.;]{0,60}$"
)
_SPREAD_OTHER_RULE = re.compile(
    r"\b(?:uln|upper limit|bilirubin|ast|alt|sgot|sgpt|transaminase\w*|alkaline|phosphatase"
    r"|measurable|evaluable|assessable|recist)\b"
)


@reader(
    triggers=("bone", "osseous", "skeletal", "liver", "hepatic", "lung", "pulmonary"),
    breast_only=True,
    main_clause_only=True,
)
def extract_spread_to(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    """A requirement that the cancer has spread to a named place ("at least one bone metastasis")."""
    if kind != INCLUSION or negated or _SPREAD_OTHER_RULE.search(text) or PERMISSION.search(text):
        return []
    places = {
        PLACE_OF.get(found[found.lastindex], found[found.lastindex])
        for found in SPREAD_REQUIRED.finditer(text)
        if not _SPREAD_ASIDE.search(text[: found.start()]) and not re.match(r"[^.;]{0,20}\bor\b", text[found.end() :])
    }
    return [Constraint("metastatic_site", "includes", tuple(sorted(places)))] if places else []


@reader(triggers=("novo",), breast_only=True)
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
