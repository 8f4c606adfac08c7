"""How firmly a criterion was read: signals that hold for any trial, not for one phrasing.

A reading is tentative when the words around its concepts leave room for another reading:
alternatives, a condition, a washout window, examples, a sentence that defines a word, the
study team's judgement, a negation the reading did not use, a count it did not keep, a
qualifier it cannot answer (brain metastases "requiring steroids"), a basket's
tumour-agnostic way in, a requirement stated of one group of patients, a subtype named as
where a treatment is given, an early stage the reading did not keep, or one receptor named
both ways. Treatment history is never firm (`therapy_history_doubt`), though a requirement
doubted for that alone still fails firmly on its other facts (`match.judge`). Readings of the
whole trial add more (`extract`): an exclusion of what the trial itself requires or a requirement
of what trials rule out, a receptor threshold above 1%, the stricter of two limits on one
number, and lines that may be the alternatives of a lead with nothing under it. Only a firm
reading may rule a trial out; a tentative one becomes a question for the study team.
"""

from __future__ import annotations

import re

from screening.engine.rules import Constraint

# Each doubt as a patient reads it in a reason ("its wording leaves room: ...").
DOUBT_WORDS = {
    "alternatives": "it offers other ways in",
    "condition": "it applies only in some cases",
    "time window": "it depends on when a treatment was given",
    "examples": "it gives examples",
    "may be one of a list's alternatives": "it may be one of several choices the trial lists",
    "qualifier": "it applies only to some cases",
    "definition": "it defines a term",
    "tumour-agnostic alternative": "it also takes other cancers with a particular marker",
    "study team's judgement": "the study team's judgement decides it",
    "negation": "it says what is not wanted in a way we could not read for sure",
    "number": "it depends on a number we do not know",
    "receptor threshold": "it counts low hormone-receptor levels as negative",
    "contradicts the trial's own requirement": "it seems to go against another of the trial's rules",
    "under a heading naming a group": "it sits under a heading for one group of patients among others",
    "an alternative it did not read": "it offers another way in that we could not read",
    "lines counted from adjuvant therapy": "the trial counts an early relapse after adjuvant treatment as a line",
    "another subtype named beside it": "the trial also names other breast cancer subtypes",
    "excludes what trials require": "it rules out what trials usually ask for, so it may be misplaced in the record",
    "setting not stated": "it does not say whether treatment before the cancer spread counts",
    "the trial's own definition": "the trial defines the stage in its own words",
    "treatment history": "it depends on which treatments you have had, which trials word in many ways",
    "a requirement of one group": "it is a requirement for one group of patients, which may not be yours",
    "one stage named": "it is about one stage of breast cancer, which may not be yours",
    "requires what trials rule out": "it asks for what trials usually rule out, so it may be misworded in the record",
    "a treatment's setting": "it names the kind of cancer a treatment is given for, not one you must have",
    "another limit in the trial": "the trial gives another limit elsewhere, so this one may be for one group",
}


def in_words(doubts: tuple[str, ...]) -> str:
    return "; ".join(DOUBT_WORDS.get(doubt, doubt) for doubt in doubts)


# Each signal: why it makes a reading tentative, and the words that show it.
ALTERNATIVES = re.compile(
    r"\b(?:(?:one|any|either|at least one|1) of the following|or alternatively|or else)\b"
    # An inline enumeration of alternatives: "1) ... or 2) ...", "(a) ...; or (b) ...".
    r"|(?:^|\s)\(?(?:1|a|i)[.)]\s[^.;]{1,200}?\bor\b[^.;]{0,20}\(?(?:2|b|ii)[.)]\s"
)
CONDITION = re.compile(
    r"\b(?:if|only if|when|whenever|provided(?: that)?|as long as|in case of|in the case of)\b"
    # "Patients with TNBC may receive up to ... doxorubicin": who a permission is for.
    r"|^\W*(?:patients?|participants?|subjects?|women|men|those|individuals)\s+(?:with|who|whose)\b[^.;]{0,80}?"
    r"\b(?:(?:may|can|could)\s+(?:receive|have|be (?:treated|enrolled|included)|continue|participate|enrol|enroll)|(?:are|is) (?:allowed|permitted))\b"
    r"|\b(?:for|in) (?:those |the )?(?:patients?|participants?|subjects?|women|men|individuals)\s+(?:who|with|whose|receiving|treated|on)\b"
    r"|\bfor (?:the )?(?:cohort|arm|part|group|phase)\b"
    # "... were required for HER2+ patients": who the requirement is for.
    r"|\bfor (?:\S+\s+){1,3}(?:patients|participants|subjects|women|men)\s*(?:only)?\W*$"
)
WINDOW = re.compile(
    r"\bwithin (?:the )?(?:last |past |previous |prior )?(?:\d+|one|two|three|four|six)\s*(?:-\s*)?(?:days?|weeks?|wks?|months?|half[\s-]?lives)\b"
    r"|\b\d+\s*(?:days?|weeks?|months?|half[\s-]?lives)\s*(?:before|prior to|of (?:the )?(?:first|start|randomi|enrol|study))"
    r"|\bwash[\s-]?out\b"
    r"|\bin the (?:previous|past|last|preceding) (?:\d+|one|two|three|four|five|six)\s*(?:days?|weeks?|months?|years?)\b"
)
# Examples or a definition name things beside the fact ("HER2-negative includes HR-positive and
# triple-negative disease"); "defined as" after a fact only says how it is measured.
# "including a CDK4/6 inhibitor" after a count of therapies names one that is required, not examples.
EXAMPLES = re.compile(r"\b(?:includes?|including(?! an? )|such as|e\.g\.|for example|for instance|i\.e\.|namely)\b")
# "TNBC is diagnosed in a tumour which does not express ...": the sentence defines a word.
DEFINES = re.compile(
    r"^\W*(?:[\w+/()-]+\s+){1,4}(?:is|are)\s+(?:defined|diagnosed|determined|considered|confirmed)\s+(?:as|by|in|when|if)\b"
)
# A basket that also takes any tumour with a biomarker ("... TNBC, NSCLC, and MSI-high tumours"):
# the breast subtype it names is not the only way in.
AGNOSTIC = re.compile(
    r"\b(?:msi[\s-]?(?:h|high|hi)|microsatellite instability[\s-]high|tmb[\s-]?(?:h|high)|tumou?r mutational burden"
    r"|dmmr|mismatch[\s-]repair[\s-]deficien\w*|ntrk|any (?:solid )?tumou?r type"
    # "HER2 mutation, HER2 amplification or HER2 positive": a mutation the questions do not ask about.
    r"|(?:her2|erbb2)[\s-](?:mutat\w*|mutant|aberration\w*|alteration\w*|activating))\b"
)
TUMOUR_MARKERS = {"her2", "hormone_receptor", "triple_negative", "gene_alteration", "pd_l1"}
# Brain metastases "requiring steroids" or "requiring > 10 mg of prednisolone": only some of them.
STEROID_NEED = re.compile(
    r"\b(?:requir\w*|need\w*|on)\s+(?:\w+\s+){0,3}(?:steroids?|corticosteroids?|dexamethasone|prednis\w*|anti-?convulsants?|\S*\d+\s*mg)"
    r"|\b(?:corticosteroids?|steroids?|dexamethasone)\b[^.;]{0,60}\b(?:control|manage)\b"
    # Only the brain metastases that need treatment now, or cause symptoms, not all active ones.
    r"|\brequir\w*\s+(?:\w+\s+){0,2}(?:immediate|urgent|emergency)\b"
    r"|^(?:(?!\b(?:active|untreated|progress\w*|unstable|new|growing)\b).)*\bsymptomatic\b(?:(?!\b(?:active|untreated|progress\w*|unstable|new|growing)\b).)*$"
)
# A group of patients or of cancers that is not the whole trial: an early stage, a subtype, a
# menopausal status, brain metastases. Metastatic or advanced disease is the trial's own population.
GROUP = re.compile(
    r"\b(?:early[\s-]?stage|early breast|stages?\s*(?:0|i{1,3}|[123])[abc]?\b(?![^.;]*\b(?:iv|4)\b)|locally advanced|labc|operable"
    r"|triple[\s-]?negative|tnbc|her2[\s-]?(?:positive|negative|low|\+|-|0)|(?:er|pr|hr|(?:hormone|estrogen|oestrogen|progesterone)[\s-]receptors?)[\s-]?(?:positive|negative|\+|-)"
    r"|pre-?menopausal|post-?menopausal|brain metasta\w*|cns metasta\w*|bone[\s-]only)"
)
# "Early stage breast cancer (stages I, IIA) must be ER positive", "Patients with TNBC must have ...":
# what comes before the verb says whom the requirement is for.
REQUIREMENT_OF = re.compile(
    r"^\W*(?P<subject>(?:(?!\b(?:must|should|shall|need|needs|has to|have to|required)\b)[^.;:]){3,140}?)"
    r"\s+(?:must|should|shall|needs? to|has to|have to|(?:is|are) required to)\b"
)
# An early stage named as what the criterion is about ("Stages I, II and IIIA triple negative breast cancer").
EARLY_STAGE_NAMED = re.compile(r"\b(?:early[\s-]?stage|early breast cancer|labc|stages?\s*(?:0|i{1,3}|[123])[abc]?\b)")
LATE_STAGE_NAMED = re.compile(r"\b(?:stages?\s*(?:[\w,\s-]*\b)?(?:iv|4)\b|metasta\w*|advanced|recurren\w*)")
# "Trastuzumab for HER2-positive disease", "regimens in HER2 positive patients": the subtype is
# where a treatment is given, not what the trial asks of her.
TREATMENT_SETTING = re.compile(
    r"\b(?:therap\w*|treatments?|regimens?|agents?|drugs?|inhibitors?|chemotherapy|\w+mab|\w+nib|\w+lib)\b"
    r"[^.;]{0,40}?\b(?:for|in)\s+(?:the\s+)?(?:patients?\s+with\s+)?"
    r"(?:her-?2|erbb2|hr|er|pr|hormone[\s-]receptors?|estrogen[\s-]receptor|triple)[\w\s+/()-]{0,30}?"
    r"\b(?:disease|patients|tumou?rs?|cancers?|setting|subjects|participants|women)\b"
)
# "PR-negative or low-PR positive (<= 10%)": one receptor named both ways is a range of levels,
# not one status.
RECEPTOR_STATUS = re.compile(
    r"\b(?:low[\s-])?(?P<receptor>er|pr|hr|estrogen|oestrogen|progesterone|hormone)\b[\w\s()-]{0,18}?\b(?P<status>positive|negative)\b"
)
JUDGEMENT = re.compile(r"\b(?:investigator|in the opinion|judge?ment|deemed|at the discretion|discretion of)\b")
# A label before the fact it heads ("Endocrine therapy: ...").
LEADING_LABEL = re.compile(r"^\W*[a-z][a-z /&,-]{0,40}:\s+(?=\S)")
# Where a criterion goes on to say who is let in anyway: what follows qualifies, it is not the fact.
PERMISSION_TAIL = re.compile(
    r"[;:]|\.\s|\b(?:are|is|will be|may be|be) (?:also )?(?:eligible|allowed|permitted|included|acceptable)\b"
    r"|\bmay (?:participate|enrol|enroll|be enrolled|be included)\b"
)
NEGATION = re.compile(r"\b(?:not|no|without|never|neither|nor|none|free of|absence of|lack of|non)\b")
# Fixed phrases whose "no"/"not" is a bound or a word, not a negation of the concept.
NOT_A_NEGATION = re.compile(
    r"\b(?:no|not) (?:more|less|fewer|greater|later|earlier|sooner|longer|older|younger) than\b|\bnot (?:to )?exceed\w*\b"
    r"|\bnon[\s-](?:small|hodgkin|melanoma|muscle|invasive|measurable|target|childbearing|pregnant)\w*|\bwhether or not\b"
    # "Prior X is NOT permitted": the "not" denies a permission, the fact is X.
    r"|\b(?:is|are|will be)\s+not\s+(?:permitted|allowed|accepted)\b"
    # What makes disease advanced, said by what cannot be done: "not amenable to curative resection",
    # "not resectable", "without standard treatment options", "for which no curative therapy exists".
    r"|\bnot (?:be )?(?:amenable|suitable|eligible|appropriate|candidates?|a candidate)\b[^.;]{0,40}?\b(?:curative|curable|resection|resectable|surgery|surgical|local|radical|definitive)\w*"
    r"|\b(?:not|non)[\s-]?(?:surgically )?(?:resectable|operable|curable)\b"
    r"|\b(?:no|without)\b[^.;]{0,25}?\b(?:standard|curative|effective|available)\b[^.;]{0,25}?\b(?:therap\w*|treatments?|options?|regimens?)\b"
)
# Clauses the extractors read themselves: exceptions and brackets.
EXCEPTION_CLAUSE = re.compile(
    r"\b(?:unless|except|excepting|other than|with the exception of|excluding|apart from|but not)\b[^;]*"
)
BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
# A count the reading may have dropped ("more than 3 brain metastases"), not a time, dose, percentage or version.
COUNT = re.compile(
    r"(?<![\w.\-/])(?:[2-9]|\d{2,})(?![\d.,]*\s*(?:%|days?|weeks?|months?|years?|mg|mm|cm|hours?|x|×|\+|/))(?!\.\d)"
)
NOT_A_COUNT = re.compile(
    r"\b(?:recist|v|version|stage|grade|ecog|phase|part|cohort|arm|ctcae|nyha)\s*(?:[≥≤<>=]+\s*)?\d[\d.]*"
)
COUNT_SENSITIVE = {"brain_metastases", "bone_only_disease"}
# "More than two cycles of chemotherapy": a count of cycles or doses, which her lines do not tell.
DOSE_COUNT = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|eight|ten|twelve)\s+(?:or more\s+|or fewer\s+)?(?:cycles?|doses?|courses?|infusions?|administrations?)\b"
)
THERAPY_CONCEPTS = frozenset({"prior_therapy", "prior_lines"})
STAGE_CONCEPTS = {"metastatic_disease", "early_stage"}
SETTING = re.compile(
    r"\b(?:metasta\w*|advanced|mbc|abc|recurren\w*|relaps\w*|unresectable|inoperable|incurable|palliative|stage iv|first[\s-]line)\b"
)
# Readings that carry their own negation: the fact is an absence, a "not received", a negative result.
NEGATIVE_VALUES = {False, "negative", "not_altered"}


def _bare(text: str) -> str:
    """The text the signals look at: lower case, without brackets and exception clauses."""
    text = text.lower()
    for _ in range(2):
        text = BRACKETS.sub(" ", text)
    return EXCEPTION_CLAUSE.sub(" ", text)


def carries_negation(constraints: tuple[Constraint, ...] | list[Constraint], negated: bool) -> bool:
    if negated:
        return True
    for constraint in constraints:
        if constraint.op == "not_received" or (constraint.op == "==" and constraint.value == 0):
            return True
        if not isinstance(constraint.value, (tuple, dict)) and constraint.value in NEGATIVE_VALUES:
            return True
        if constraint.concept == "her2" and "positive" not in constraint.value:
            return True  # "HER2-negative", "HER2 non-amplified"
        if constraint.concept in ("triple_negative", "early_stage"):
            return True  # "no distant metastases" is what early-stage means
    return False


def is_line_cap(constraint: Constraint, kind: str, negated: bool) -> bool:
    """A limit on how many lines she has had ("no more than 2 prior lines", "no prior chemotherapy
    for metastatic disease"), as opposed to a requirement that she has had some."""
    if constraint.concept != "prior_lines":
        return False
    requires = kind == "inclusion" and not negated
    if requires:
        return constraint.op == "<=" or (constraint.op == "==" and constraint.value == 0)
    return constraint.op == ">="


# The doubt is about THERAPY_CONCEPTS alone: a reading holding other facts stays firm on them.
TREATMENT_HISTORY = "treatment history"


def therapy_history_doubt(
    kind: str, constraints: tuple[Constraint, ...] | list[Constraint], negated: bool
) -> tuple[str, ...]:
    """Which treatments she had, or that she had some lines, is read too unreliably to rule a trial out.

    Measured on four blind batches before any fix from them, the engine's readings of prior
    therapy were right about half the time (precision 0.49 to 0.65, against 0.75 to 1.00 for
    every other category), and they decided a third of the eligible trials it hid: which drugs
    count, in which setting, after which progression, for which cohort, are written in too many
    ways. A cap on the number of lines is the exception: it read right, and a patient knows it.
    """
    if any(c.concept == "prior_therapy" for c in constraints) or any(
        c.concept == "prior_lines" and not is_line_cap(c, kind, negated) for c in constraints
    ):
        return (TREATMENT_HISTORY,)
    return ()


def _receptor_named_both_ways(text: str) -> bool:
    statuses: dict[str, set[str]] = {}
    for found in RECEPTOR_STATUS.finditer(text):
        receptor = {"estrogen": "er", "oestrogen": "er", "progesterone": "pr", "hormone": "hr"}.get(
            found["receptor"], found["receptor"]
        )
        statuses.setdefault(receptor, set()).add(found["status"])
    return any(len(both) == 2 for both in statuses.values())


def doubts(
    sentence: str, item_text: str, lead: str, constraints: tuple[Constraint, ...] | list[Constraint], negated: bool
) -> tuple[str, ...]:
    """Why a reading of `sentence` is tentative (empty when it is firm)."""
    if not constraints:
        return ()
    bare = _bare(sentence)
    # The fact is stated first; a later clause saying who is let in anyway is read by the extractors.
    heads = [PERMISSION_TAIL.split(bare, maxsplit=1)[0]]
    label = LEADING_LABEL.match(bare)
    if label:
        # A label ends at its colon, before the fact ("Endocrine therapy: No concurrent
        # corticosteroids to control CNS disease"): the signals are looked for in both.
        heads.append(PERMISSION_TAIL.split(bare[label.end() :], maxsplit=1)[0])

    def in_head(signal: re.Pattern[str]) -> bool:
        return any(signal.search(head) for head in heads)

    concepts = {constraint.concept for constraint in constraints}
    found: list[str] = []
    if (
        ALTERNATIVES.search(bare)
        or ALTERNATIVES.search(_bare(lead))
        or (item_text != sentence and ALTERNATIVES.search(_bare(item_text)))
    ):
        found.append("alternatives")
    if in_head(CONDITION):
        found.append("condition")
    if concepts & THERAPY_CONCEPTS and WINDOW.search(bare):
        found.append("time window")
    if in_head(EXAMPLES):
        found.append("examples")
    if "brain_metastases" in concepts and in_head(STEROID_NEED):
        found.append("qualifier")
    if DEFINES.search(bare):
        found.append("definition")
    if concepts & TUMOUR_MARKERS and AGNOSTIC.search(bare):
        found.append("tumour-agnostic alternative")
    if in_head(JUDGEMENT):
        found.append("study team's judgement")
    if any(NEGATION.search(NOT_A_NEGATION.sub(" ", head)) for head in heads) and not carries_negation(
        constraints, negated
    ):
        found.append("negation")
    if (
        concepts & COUNT_SENSITIVE
        and COUNT.search(NOT_A_COUNT.sub(" ", bare))
        or (concepts & THERAPY_CONCEPTS and DOSE_COUNT.search(bare))
    ):
        found.append("number")
    if any(c.concept == "prior_lines" and c.op in (">=", "==") and c.value for c in constraints) and not SETTING.search(
        bare
    ):
        # "At least two lines of hormonal therapy": her answers count lines since the cancer spread;
        # the trial may count adjuvant ones too.
        found.append("setting not stated")
    if concepts & STAGE_CONCEPTS and re.search(r"\bdefined (?:as|by)\b", bare):
        found.append("the trial's own definition")  # "locally advanced, defined as large T2 or T3-T4"
    if "hormone_receptor" in concepts and _receptor_named_both_ways(bare):
        found.append("alternatives")
    if concepts & TUMOUR_MARKERS and TREATMENT_SETTING.search(sentence.lower()):  # brackets too
        found.append("a treatment's setting")
    subject = REQUIREMENT_OF.match(bare)
    if subject and GROUP.search(subject["subject"]):
        found.append("a requirement of one group")
    if not concepts & STAGE_CONCEPTS and EARLY_STAGE_NAMED.search(bare) and not LATE_STAGE_NAMED.search(bare):
        found.append("one stage named")  # the stage was not read, so the reading would apply at any stage
    return tuple(found)
