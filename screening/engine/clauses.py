"""How a criterion's clauses are read, whatever its concepts: numbers and comparators in one
spelling, negation, permission, denial, conditions, exceptions, washouts, definitions,
sentences. Pure functions and patterns over text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from screening.engine.rules import EXCLUSION


def words_pattern(words: list[str]) -> str:
    """One regex for many plain words, branching letter by letter.

    Python's regex engine tries a flat alternation's words one by one at every position; a
    tree of shared prefixes rejects most positions at the first letter.
    """
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
        r"greater than or equal to|more than or equal to|equal to or greater than|equal or greater than|equal to or more than"
        r"|greater or equal to|greater or equal",
        ">=",
    ),
    (
        r"less than or equal to|equal to or less than|equal or less than|no greater than|not greater than|not exceeding"
        r"|less or equal to|less or equal",
        "<=",
    ),
    (r"at least|a minimum of|minimum of|no less than|not less than|no fewer than", ">="),
    (r"no more than|not more than|up to|at most|a maximum of|maximum of|not to exceed", "<="),
    (r"greater than|more than|higher than|exceeding|older than|over the age of", ">"),
    (r"less than|fewer than|lower than|younger than|under the age of", "<"),
]
_COMPARATOR_SYMBOL = {phrase: symbol for pattern, symbol in _COMPARATORS for phrase in pattern.split("|")}
# Longest phrase first: the tree tries a longer continuation before ending a word.
_COMPARATOR_WORDS = re.compile(r"\b(?:" + words_pattern(list(_COMPARATOR_SYMBOL)) + r")\b")
_NUMBER_WORDS = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b")


@dataclass(frozen=True)
class Guarded:
    """A pattern searched only in text holding one of the words no match can do without.

    Python's regex engine tries a pattern at every position; a plain substring test first
    spares the search in the many clauses where the pattern cannot match at all.
    """

    pattern: re.Pattern[str]
    words: tuple[str, ...]

    def search(self, text: str) -> re.Match[str] | None:
        for word in self.words:
            if word in text:
                return self.pattern.search(text)
        return None


# One spelling for signs and dashes; the multi-character ones are replaced in order after.
_SIGNS = str.maketrans(
    {
        "≥": ">=",
        "≧": ">=",
        "⩾": ">=",
        "≤": "<=",
        "≦": "<=",
        "⩽": "<=",
        "＞": ">",
        "＜": "<",
        "–": "-",
        "—": "-",
        "‐": "-",
        "−": "-",
        "’": "'",
        "×": "x",
        "ﬁ": "fi",
    }
)
_FOOTNOTE = re.compile(r"(?<=[a-z0-9)])[*†‡]+")
_GLUED_NUMBER = re.compile(r"\b(within|than|least|over|after|for)(?=\d)")
_SPELLED_SIGN = re.compile(r"([<>])\s*or\s*=")
_TILDE_RANGE = re.compile(r"(?<=\d)\s*[~～]\s*(?=\d)")
_SUSPENDED_HYPHEN = re.compile(
    # ... or spelled out: "estrogen receptor- and/or progesterone receptor-positive".
    r"\b([a-z][a-z0-9]{1,4}|(?:[a-z]+\s){0,2}receptors?)-\s+(and/or|and|or)\s+((?:[a-z]+\s){0,2}[a-z][a-z0-9]*)-(positive|negative)\b"
)
# A cheap first look: the substitution's own pattern is slow to search where it cannot match.
_HYPHEN_BEFORE_JOIN = re.compile(r"-\s+(?:and|or)\b")
_LOST_SIGN = re.compile(r"(?<=[a-z%)]) {2,}(?=\d)")
_SPACES = re.compile(r"\s+")
_DOUBLE_SPACES = re.compile(r" {2,}")


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Lower-case text with comparators and numbers in one spelling, for matching only."""
    text = (
        text.lower()
        .translate(_SIGNS)
        .replace("=<", "<=")
        .replace("=>", ">=")
        .replace(">/=", ">=")
        .replace("</=", "<=")
        .replace("naïve", "naive")
    )
    # Each substitution is tried only where its sign is present: these run on every clause.
    if "*" in text or "†" in text or "‡" in text:
        text = _FOOTNOTE.sub("", text)  # a footnote mark: "no prior chemotherapy*"
    text = _GLUED_NUMBER.sub(r"\1 ", text)  # "within3 weeks"
    if "=" in text:
        text = _SPELLED_SIGN.sub(r"\1=", text)  # "< or = 10%"
    if "~" in text or "～" in text:
        text = _TILDE_RANGE.sub("-", text)  # "ECOG 0~2" is a range
    # A suspended hyphen shares the word after the last one: "ER- and/or PR-positive".
    if _HYPHEN_BEFORE_JOIN.search(text):
        text = _SUSPENDED_HYPHEN.sub(r"\1-\4 \2 \3-\4", text)
    # Some copies lost their comparison signs ("Age  18" for "Age >= 18"): mark the gap.
    if "  " in text:
        text = _LOST_SIGN.sub(" ~ ", text)
    text = _SPACES.sub(" ", text)
    text = _COMPARATOR_WORDS.sub(lambda match: f" {_COMPARATOR_SYMBOL[match[0]]} ", text)
    text = _NUMBER_WORDS.sub(lambda match: NUMBER_WORDS[match[1]], text)
    return _DOUBLE_SPACES.sub(" ", text) if "  " in text else text


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
PERMISSION = Guarded(
    re.compile(
        # "To be included in this study, you must meet ..." states a purpose, not a permission.
        r"\b(?:(?:are|is|will be|may be|would be|remain|(?<!\bto )be|considered)\s+(?:also\s+)?(?:eligible(?! for (?:standard|treatment|therapy|systemic|surgery|resection|curative|endocrine|chemo\w*|her2))|allowed|permitted|included|acceptable)"
        r"|may (?:participate|enroll|be enrolled|be included)|can (?:participate|enroll|be enrolled|be included)"
        r"|(?<!not )allowed|(?<!not )permitted|acceptable|eligible if|eligible provided|eligible as long"
        r"|may (?:receive|continue|have|be treated|also|be (?:treatment[\s-])?naive|be previously|be pre-?treated|be untreated)|can (?:have|receive|continue)|(?:should|will|would) not be excluded|are not excluded|is not excluded|(?:is|are) not exclusionary"
        r"|(?:are|is|was|were) not required|not required|need not|do not need|regardless of|irrespective of"
        # "No restriction on prior chemotherapy regimens": nothing is asked.
        r"|no (?:restrictions?|limits?|limitations?|maximum|upper limit)\s+(?:on|to|for|regarding|as to|in)"
        r"|(?:was|were) (?:also )?(?:eligible|allowed|permitted))\b"
    ),
    (
        "eligible",
        "allowed",
        "permitted",
        "included",
        "acceptable",
        "may ",
        "can ",
        "excluded",
        "exclusionary",
        "required",
        "need",
        "regardless",
        "irrespective",
        "restriction",
        "limit",
        "maximum",
    ),
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


WASHOUT = re.compile(
    r"\bwithin (?:the )?(?:last |past |previous |preceding )?(?:<=|<)?\s*\d+(?:\s*(?:-|to)\s*\d+)?\s*(?:days?|weeks?|wks?|hours?)\b|"
    r"^\W*(?:received|treatment with|use of)\b[^.;]{0,60}\bwithin (?:the )?(?:last |past )?[1-6]\s*months?\b|"
    # "an interval of less than 6 months since the last dose": how recently, not whether.
    r"\binterval\b[^.;]{0,80}(?:<=|<)\s*\d+\s*(?:days?|weeks?|wks?|months?)\b|"
    # "The time and treatment between the prior PARP inhibitor and protocol initiation": when, not whether.
    r"\b(?:time|interval|period)\b[^.;]{0,30}\bbetween\b|"
    r"\bwithin (?:the )?protocol[\s-](?:specified|defined) (?:intervals?|windows?|periods?)\b|\b\d+\s*(?:days?|weeks?)\s*(?:from|since|after)\b|(?:<=|<)\s*\d+\s*(?:days?|weeks?|months?)\s*(?:\([^)]*\)\s*)?(?:prior|before)|\b\d+\s*(?:days?|weeks?)\s*(?:prior|before|of (?:study|the first|first|day|randomi|enrol|registration|start))|\bwashout\b"
)
EXCEPTIONS = re.compile(
    r"\b(?:except|excepting|other than|with (?:the )?exception of|excluding|apart from|besides|unless|not including|but not)\b"
)
ALTERNATIVES = re.compile(
    r"\b(?:any of|one of|either|at least (?:one|1) of|defined as|defined by|one or more of|as follows)\b"
)
# The leading "\b" is shared rather than repeated in each branch: Python's regex engine then
# rejects most word starts at a branch's first letter (about twice as fast here).
INFORMATIONAL = re.compile(
    r"^\W*note\b|\b(?:median follow-?up\b|refers to\b|to (?:characteri[sz]e|determine|confirm) (?:if|whether)\b"
    r"|(?:(?:will|would|is|are|shall) be (?:defined|recorded|collected|documented|assessed|measured|evaluated|stratified|reviewed|used)|defined as|definition of|according to the following)\b)"
)
NOT_A_CRITERION = re.compile(
    # "Patients with T4 disease and no prior chemotherapy receive neoadjuvant chemotherapy": the plan, not a need.
    r"^\W*(?:patients?|participants?|subjects?) with\b[^.;]{0,160}?(?<!must )(?<!should )(?<!have )(?<!to )(?<!who )(?<!that )(?<!may )(?<!can )(?<!not )\breceive (?!(?:at least|no more|prior|previous)\b)"
    r"|^\W*note\b|\b(?:justified\b|rationale\b|median follow-?up\b|refers to\b|to (?:characteri[sz]e|determine|confirm|document) (?:if|whether)\b"
    r"|must (?:include|be performed|be collected|be submitted|be provided)\b"
    r"|no (?:limit\w*|restrictions?|maximum) (?:to|on|in|regarding|for) (?:the )?number\b"
    # "The threshold to qualify as ER positive is >= 1%" defines a word.
    r"|threshold (?:to qualify|for (?:being )?(?:considered|called))\b"
    # "Patients already exposed to abemaciclib will be assigned another CDK4/6 inhibitor": who gets what.
    r"|will (?:be (?:assigned|allocated|placed|given|offered|switched)|(?:begin|start|commence) (?:this|the|their))\b"
    # "Maintenance regimens are not considered separate regimens": how lines are counted.
    r"|not (?:be )?(?:considered|counted) (?:as )?(?:an? |separate |additional |new )*(?:lines?|regimens?)\b)"
)


# Menopause and childbearing potential are defined by lists of alternatives (age, surgery, hormone levels).
DEFINING_LEAD = re.compile(
    r"(?:menopaus|childbearing|reproductive potential)[^:]*\bdefined (?:(?:as|by)\b[^:]*\b(?:any|one|1|either) of|as follows|(?:as|by)\W*$)"
)
# A lead saying what does or does not count as something ("The following are not considered
# measurable:"): its list explains a word of the criterion above it and requires nothing.
COUNTING_LEAD = re.compile(
    r"\b(?:the following|these|they)\s+(?:\w+\s+){0,2}?(?:is|are) (?:not )?(?:considered|regarded|deemed|counted|classified)"
    r"(?: as)?\s+(?!(?:to be )?(?:in)?eligib|exclu|acceptable|allowed|permitted|required|necessary|contraindicat)[^.;:]{0,60}:\s*$"
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
    r"^\W*for [^:]{3,80}:|^\W*for (?:[\w+/()-]+\s+){1,4}(?:patients?|participants?|subjects?|women|men)\b[^.;:]{0,60},|^\W*(?:donors?|caregivers?|partners?|parents?|guardians?|controls?)\b[^:]{0,30}:|^\W*(?:patients?|participants?|subjects?|women|men|those)\s+(?:aged|with|who|whose|receiving|on|in)\b[^:]{0,80}:|^\W*(?!(?:the|all|eligible|adult|female|male)\s)[\w+()/-]+(?:\s+[\w+()/-]+){0,5}?\s+(?:patients?|participants?|subjects?)\s+(?:must|should|need|are required)\b|^\W*(?:if\b|for (?:patients?|participants?|subjects?|those|women|men)\b|(?:(?:female|male|adult|pre-?menopausal|post-?menopausal)\s+)?(?:patients?|participants?|subjects?|those|women|men|individuals)\s+(?:with|who (?:have|had|are|were|received|progress\w*|relapse\w*|recur\w*|develop\w*|experience\w*)|whose|receiving|on)\b[^.;]{0,120}?\b(?:must|should|need|are required|will need|require|will be required)\b(?!\s+be\s+excluded\b))"
)
MEASURABLE_OPTIONAL = re.compile(
    r"\b(?:evaluable|non-?measurable|without measurable)\b[^.;]{0,80}\b(?:allowed|permitted|eligible|acceptable)\b"
    r"|\bor (?:\w+ ){0,3}(?:evaluable|non-?measurable)\b(?! (?:disease )?only)"
    r"|\b(?:allow|permit)\w*\s+(?:\w+\s+){0,3}(?:evaluable|non-?measurable)\b"
)
LIMIT_WORDING = Guarded(re.compile(r"(?:<=|\bup to|\ba maximum of|\bmaximum)\s*\(?\d"), ("<=", "up to", "maximum"))
DEFINITION = Guarded(re.compile(r"\b(?:as )?defined (?:as|by)\b"), ("defined",))
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


DENIED_AT_END = re.compile(
    r"\b(?:is|are|will be) not (?:permitted|allowed|eligible|accepted)\W*$|\b(?:is|are|(?:should|will|must|shall|would) be) (?:prohibited|excluded)\W*$|\bnot eligible\W*$"
)
SENTENCE_BREAK = re.compile(
    r"(?<=[a-z0-9%)\]*†‡'\"”]\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)(?<!\betc\.)(?<!\bno\.)\.*\s+(?=\(?[A-Z][a-z])|(?<=;)\s+(?=[A-Z][a-z])"
    r"|(?<=[a-z]{3}\.)(?=[A-Z][a-z]{2})"  # "... by RECIST criteria.Patients previously treated ..."
    # Items run together without marks or stops in old records' wrapped text: "... or stage IV
    # breast cancer Patients with at least 10 axillary node metastases receive ...".
    r"|(?<=[a-z)])\s+(?=(?:Patients?|Participants?|Subjects?|No|Prior|Must)\s)"
)
# Labelled items run together the same way: "Age: 18 and over Sex: Female Performance status:
# ECOG 0-1". Split only where several labels follow one another, as one label may head an item.
RUN_LABEL = re.compile(r"(?<!\S)[A-Z][a-z]+(?: [A-Za-z]+)?: ")
# The NCI's old PDQ records head their run-together paragraphs so; inside one, a capitalised
# word after a lower-case one starts an item ("... brain metastases Responding or stable ...").
PDQ_SECTION = re.compile(r"^\W*(?:DISEASE CHARACTERISTICS|PATIENT CHARACTERISTICS|PRIOR CONCURRENT THERAPY)\b")
PDQ_ITEM_START = re.compile(r"(?<=[a-z)])\s+(?=[A-Z][a-z])")


_AFTER_WORDS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789%)")


def _at_run_labels(text: str) -> list[str]:
    """Pieces of a text at its labels, when two or more run on after words ("... over Sex: Female")."""
    # A label after words, not one opening the text or following another label's colon.
    starts = [
        found.start() for found in RUN_LABEL.finditer(text) if text[: found.start()].rstrip()[-1:] in _AFTER_WORDS
    ]
    if len(starts) < 2:
        return [text]
    return [text[start:end] for start, end in zip([0, *starts], [*starts, len(text)], strict=True)]


def sentences(text: str, kind: str) -> list[str]:
    """An item's sentences, when they can be read one by one.

    An exclusion item whose later sentence softens it ("Brain metastases. Treated, stable
    ones are allowed.") stays whole, so the softening is read with it.
    """
    parts = [piece.strip() for part in SENTENCE_BREAK.split(text) for piece in _at_run_labels(part) if piece.strip()]
    if PDQ_SECTION.match(text):
        parts = [piece.strip() for part in parts for piece in PDQ_ITEM_START.split(part) if piece.strip()]
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
