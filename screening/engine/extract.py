"""From eligibility text to rules: each criterion item becomes zero or more constraints.

The criteria tree (`screening.criteria`) gives the items; `clauses` reads what a clause
does (negation, permission, condition); the readers in `readers/` find each category's
facts in it; `firmness` says how sure the reading is. Pure functions over strings and the
lexicon. When a sentence cannot be read with confidence, it yields no constraint (the study
team will check it): a wrong constraint could hide a trial a patient may qualify for, a
missing one only adds a question.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from screening.criteria import Item, flatten, names_group, parse, scope_of
from screening.engine.clauses import (
    CONDITIONAL,
    CONDITIONAL_ANYWHERE,
    COUNTING_LEAD,
    DEFINING_LEAD,
    DEFINITION,
    DENIAL,
    DENIED_AT_END,
    ELIGIBILITY_DENIED,
    EXCEPTIONS,
    EXCLUSION_NOT_ALLOWED,
    GRANTED,
    INFORMATIONAL,
    LIMIT_WORDING,
    MEASURABLE_OPTIONAL,
    MENOPAUSE_WORDS,
    NEGATED_START,
    NOT_A_CRITERION,
    PERMISSION,
    STEP_LABEL,
    THERAPY_CONDITION,
    Guarded,
    _list_parts,
    normalise,
    sentences,
)
from screening.engine.disease import OTHER_CANCER_TYPES
from screening.engine.firmness import EXAMPLES, THERAPY_CONCEPTS, doubts, therapy_history_doubt
from screening.engine.lexicon import Lexicon
from screening.engine.readers import READERS, Reader, triggered
from screening.engine.readers.biology import HER2_NAME, HER2_NEGATIVE_SET, extract_her2, extract_hormone_receptor
from screening.engine.readers.health import extract_pregnancy
from screening.engine.readers.history import extract_hepatitis, extract_hiv
from screening.engine.readers.therapy import OPENING_REQUIREMENT
from screening.engine.rules import EXCLUSION, FAMILIES, INCLUSION, Constraint, Rule

ANOTHER_CANCER = re.compile(
    r"\b(?:other|another|second|additional|multiple|separate)\s+(?:\w+\s+){0,2}?(?:primary\s+)?(?:malignan\w*|cancers?|carcinomas?|tumou?rs?)\b|\bsecond primary\b"
)


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


def _items(items: list[Item], inherited: Item | None = None) -> Iterator[tuple[Item, Item | None]]:
    """Every item of a tree with the lead it stands under ("... one of the following:"), if any."""
    for item in items:
        yield item, inherited
        lead = item if item.text.rstrip().endswith(":") else None
        yield from _items(item.children, lead or inherited)


# A lead that ends by opening its exceptions: "... unless meeting both of the following:", "... except:".
EXCEPTING_LEAD = re.compile(
    r"\b(?:except(?:ing)?|with (?:the )?exception of|unless|other than|apart from|excluding)\b[^.;:,]{0,70}:\s*$"
)


def _excepting(item: Item) -> bool:
    """A lead whose list says when its criterion does not apply ("CNS involvement unless
    meeting both of the following:"): the lead is the criterion, its items the carve-out."""
    return bool(item.children and EXCEPTING_LEAD.search(normalise(item.text)))


def _permitted_under(items: list[Item], kind: str) -> set[int]:
    """Items listed under an exclusion's permission ("Known HIV, HBV or HCV. The following
    participants may be enrolled:") or under any criterion's exception: they say who is let in,
    not who is kept out, and require nothing. Nor do items under a lead saying what counts as
    something ("The following are not considered measurable:")."""
    found: set[int] = set()
    for item in items:
        if not (item.children and item.text.rstrip().endswith(":")):
            found |= _permitted_under(item.children, kind)
            continue
        normal = normalise(item.text)
        permission = PERMISSION.search(normal) if kind == EXCLUSION else None
        if _excepting(item) or COUNTING_LEAD.search(normal):
            found.update(id(child) for child in flatten(item.children))
        elif (
            permission
            and not DENIAL.search(normal)
            and not re.search(r"\bnot\s+(?:\w+\s+)?$", normal[: permission.start()])
        ):
            found.update(id(child) for child in item.children)
        found |= _permitted_under(item.children, kind)
    return found


def _agreed_breast_biology(
    extractor: Reader, parts: list[str], kind: str, negated: bool, lexicon: Lexicon
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
        if extractor.read is extract_her2 and not constraints and not re.search(HER2_NAME, part):
            if extract_hormone_receptor(part, kind, negated, lexicon) == [Constraint("triple_negative", "is", True)]:
                constraints = [Constraint("her2", "in", HER2_NEGATIVE_SET)]
        found.append(constraints)
    return found[0] if found and all(constraints == found[0] for constraints in found) else []


@dataclass
class _Clause:
    """One criterion sentence as the readers see it, once the clause reading has settled its parts."""

    normal: str  # the requirement part of the sentence (notes, definitions and numbered alternatives cut)
    context: str  # the lead it stands under, normalised
    negated: bool
    with_note: str  # the sentence with a note kept: a note may still soften an exclusion
    combined: str  # the lead and the requirement part: a lead lends its verb to its items
    main_clause: str = ""  # before any exception ("except endocrine therapy for HR+ disease")
    conditional_scope: str = ""  # where a condition ("patients with X must ...") would make it apply to some only


def _polarity(normal: str, context: str, kind: str, denied: bool) -> tuple[str, bool] | None:
    """Whether the sentence is negated (and its words once "No ... is allowed" is undone), or None
    when an exclusion's negation reads both ways."""
    negated = bool(NEGATED_START.match(normal))
    if negated and kind == EXCLUSION and EXCLUSION_NOT_ALLOWED.match(normal):
        # "No prior chemotherapy is allowed" under exclusions: the therapy is what excludes.
        negated = False
        normal = re.sub(r"^\W*no\s+", "", normal)
    elif negated and kind == EXCLUSION and not denied:
        # "No prior chemotherapy" under an exclusion heading reads both ways (older records list
        # such lines under exclusions when they mean requirements): the study team checks it.
        return None
    if not negated and context and NEGATED_START.match(context):
        negated = True
    return normal, negated != denied


def _requires_nothing(normal: str, context: str, kind: str) -> bool:
    """Sentences that are not requirements however they are worded: a carve-out's cancers, a
    grant among exclusions, a definition of a word."""
    if (
        context
        and re.search(r"\b(?:except\w*|excluding|other than|unless)\b[^.;]{0,80}:?\W*$", context)
        and re.search(r"\b(?:malignan\w*|cancers?|carcinomas?|tumou?rs?)\b", context)
        and re.search(r"\b(?:cancers?|carcinomas?|malignan\w*|tumou?rs?|melanoma|neoplasms?|in situ)\b", normal)
        and len(normal) < 200
    ):
        return True  # cancers listed under "another malignancy, except:" are let through
    if kind == EXCLUSION and GRANTED.match(normal):
        return True  # "Participants with HIV are allowed if ...": listed with exclusions, excludes nothing
    # Items under "Postmenopausal, defined by any of the following:" define a word, they do not
    # each require something.
    return bool(
        NOT_A_CRITERION.search(normal)
        or (DEFINING_LEAD.search(context) and MENOPAUSE_WORDS.search(normal) and len(normal) < 120)
    )


def _requirement_part(normal: str) -> tuple[str, str] | None:
    """The part of a sentence that requires (notes and definitions cut off), with the note kept
    beside it; None when the sentence only defines or informs."""
    # "ER positive (defined as >1% staining); HER2 negative (defined as ...)": a bracketed
    # definition says how one fact is measured and ends nothing.
    normal = re.sub(r"\([^()]*\bdefined (?:as|by)\b[^()]*\)", " ", normal)
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
        return None  # a definition, not a requirement
    if definition and definition.start() > 3:
        # "HER2-negative breast cancer, defined as IHC 0 or 1+": the requirement comes first.
        normal = normal[: definition.start()]
    elif INFORMATIONAL.search(normal) and not re.search(r"\bmust\b", normal):
        return None
    return normal, with_note


def _only_permits(clause: _Clause, kind: str, denied: bool) -> bool:
    """An inclusion sentence that lets people in rather than requiring something of them."""
    normal = clause.normal
    return (
        kind == INCLUSION
        and not clause.negated
        and not LIMIT_WORDING.search(normal)
        and not (PERMISSION.search(normal) and OPENING_REQUIREMENT.match(normal) and not DENIAL.search(normal))
        # "ER+ (any PR and HER2 status is allowed) metastatic breast cancer" still requires the rest.
        and bool(
            PERMISSION.search(re.sub(r"\([^)]*\)", " ", normal)) or (ELIGIBILITY_DENIED.search(normal) and not denied)
        )
    )


def _split_clauses(clause: _Clause, kind: str) -> _Clause:
    """The main clause (before exceptions and conditions) and the scope a condition is looked for in."""
    normal = clause.normal
    # "... for metastatic disease; patients with tumours that overexpress HER2 should have received
    # trastuzumab": a later clause about some patients asks nothing of everyone.
    parts = normal.split("; ")
    kept = [parts[0], *(part for part in parts[1:] if not CONDITIONAL.match(part))]
    if len(kept) < len(parts):
        normal = "; ".join(kept)
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
        if kind == INCLUSION and not clause.negated
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
    return replace(clause, normal=normal, main_clause=main_clause, conditional_scope=conditional_scope)


def _conditional_reading(clause: _Clause, kind: str, lexicon: Lexicon) -> list[Constraint] | None:
    """What a sentence that applies to some patients only still says of everyone (None when it
    is not conditional)."""
    normal, negated = clause.normal, clause.negated
    childbearing = re.search(r"\b(?:childbearing|child-bearing|reproductive) potential\b[^.;]{0,80}\bmust\b", normal)
    if not (CONDITIONAL.match(normal) or CONDITIONAL_ANYWHERE.search(clause.conditional_scope) or childbearing):
        return None
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
    return found


def _run_readers(clause: _Clause, kind: str, lexicon: Lexicon) -> list[Constraint]:
    """Every reader with a word to go on, each given the part of the sentence it reads; a basket
    trial's criterion for another cancer is left to the readers that make sense of it."""
    normal, negated, context, combined = clause.normal, clause.negated, clause.context, clause.combined
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
    # "... triple negative breast cancer, endometrial cancer and other mesothelin positive tumors":
    # a list left open takes any breast cancer the rest of the criteria allow.
    open_list = re.search(
        r"\b(?:and|or)\s+(?:any\s+)?other\b[^,;.]{0,40}?\b(?:tumou?rs?|cancers?|malignan\w*|carcinomas?)\b", listed
    )
    basket_with_breast = cancer_types >= 2 and re.search(r"\bbreast\b|\btnbc\b", normal) and not open_list
    # A basket trial's list ("metastatic triple negative breast cancer, ovarian cancer, ...") says
    # what a breast cancer must be in the part that names it; of several such parts, only what
    # they agree on is required.
    breast_parts = (
        [part for part in _list_parts(clause.main_clause) if re.search(r"\bbreast\b|\btnbc\b|\bbc\b", part)]
        if basket_with_breast
        else []
    )
    for extractor in READERS:
        if extractor.name not in worth_running:
            continue
        breast_biology = (
            _agreed_breast_biology(extractor, breast_parts, kind, negated, lexicon)
            if basket_with_breast and extractor.basket_biology
            else None
        )
        if about_another_cancer and (
            (extractor.breast_only and not (basket_with_breast and extractor.in_baskets) and not breast_biology)
            or extractor.therapy
        ):
            continue  # a basket trial's criterion for another cancer
        if extractor.names_therapies and THERAPY_CONDITION.search(clause.conditional_scope):
            continue
        if qualified_exclusion and (extractor.breast_only or extractor.names_therapies):
            continue
        if softened_exclusion and extractor.breast_only:
            continue  # "... are allowed if all tumours were ER-positive" is a carve-out, not an exclusion
        if extractor.names_therapies:
            # The lead lends its verb ("Prior treatment with any of:") to an item naming a therapy.
            source = combined if context and lexicon.therapy_mentions(normal) else normal
        elif breast_biology and about_another_cancer:
            constraints.extend(c for c in breast_biology if c not in constraints)
            continue
        elif extractor.main_clause_only:
            source = clause.main_clause
        elif extractor.notes_in_exclusions and kind == EXCLUSION:
            source = clause.with_note
        else:
            source = normal
        for constraint in extractor(source, kind, negated, lexicon):
            if constraint not in constraints:
                constraints.append(constraint)
    return constraints


def extract_item(
    text: str, kind: str, lexicon: Lexicon, lead: str = "", denied: bool = False, whole_item: str = ""
) -> tuple[list[Constraint], bool, str]:
    """The constraints one criterion item yields, whether it is negated, and the logic joining them.

    `text` may be one sentence of a longer item; `whole_item` is then the item itself. The stages:
    polarity, what is no requirement at all, the requirement part, its clauses, a condition, then
    the readers, then what their findings settle together.
    """
    # "STEP 2: RANDOMIZATION: Participants must not ...": the label names when it applies.
    normal = STEP_LABEL.sub("", normalise(text))
    context = normalise(lead)
    if not triggered(f"{context} {normal}".strip() if context else normal):
        return [], False, "all"  # no reader has a word to go on (labs, consent, contraception...)
    polarity = _polarity(normal, context, kind, denied)
    if polarity is None or _requires_nothing(polarity[0], context, kind):
        return [], False, "all"
    normal, negated = polarity
    part = _requirement_part(normal)
    if part is None:
        return [], False, "all"
    clause = _Clause(
        normal=part[0],
        context=context,
        negated=negated,
        with_note=part[1],
        combined=f"{context} {part[0]}".strip() if context else part[0],
    )
    if _only_permits(clause, kind, denied):
        # "Patients with treated brain metastases are eligible": a permission, not a requirement;
        # "... are not eligible for part A" inside an inclusion item is too tangled to read safely.
        return [], False, "all"
    clause = _split_clauses(clause, kind)
    conditional = _conditional_reading(clause, kind, lexicon)
    if conditional is not None:
        return conditional, negated, "all"
    constraints = _run_readers(clause, kind, lexicon)
    item_text = normalise(whole_item) if whole_item else clause.with_note
    constraints = _settle_together(constraints, kind, negated, clause.normal, item_text)
    return constraints, negated, _logic(kind, negated, constraints, clause.normal, lexicon)


def _settle_together(
    constraints: list[Constraint], kind: str, negated: bool, normal: str, item_text: str
) -> list[Constraint]:
    """What one reader found that another reading of the same words already says or takes back."""
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
    return constraints


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


def _engine_fingerprint() -> str:
    """Changes whenever the code that reads criteria changes, so stored rules are refreshed."""
    here = Path(__file__).resolve().parent
    sources = [
        *(here / name for name in ("extract.py", "clauses.py", "disease.py", "firmness.py", "rules.py", "lexicon.py")),
        *sorted((here / "readers").glob("*.py")),
        here.parent / "criteria.py",
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
    return {next((name for name, members in FAMILIES.items() if concept in members), concept) for concept in concepts}


# "..., or ..." / "; or ..." between clauses (not inside brackets): the sentence may offer other
# ways in than the one a reader found.
CLAUSE_OR = re.compile(r"[,;]\s*(?:and/)?or\b")
CLAUSE_WORD = re.compile(
    r"\b(?:is|are|was|were|has|have|had|be|been|who|which|that|must|should|can|may|did|does|do|not|no"
    r"|unsuitable|ineligible|refus\w*|intoleran\w*|declin\w*|progress\w*|relaps\w*)\b"
)


def _unexplained_alternative(sentence: str, kind: str, lexicon: Lexicon, constraints: list[Constraint]) -> bool:
    """Whether a clause joined by "or" states none of what was read from the sentence: "After
    trastuzumab-based treatment has progressed (<= 1 line), or the treatment is effective but
    not suitable to continue" offers a second way in that the line count does not cover."""
    bare = normalise(sentence)
    for _ in range(3):  # brackets inside brackets
        bare = re.sub(r"\([^()]*\)", " ", bare)
    if kind != INCLUSION or not CLAUSE_OR.search(bare):  # "A, or B" in an exclusion: either one excludes
        return False
    concepts = {constraint.concept for constraint in constraints}
    # Clauses, not the last names of a list ("..., MRI, or physical exam"); a part naming another
    # cancer is a basket's other way in, not hers.
    parts = [
        part
        for part in CLAUSE_OR.split(bare)
        if len(re.findall(r"[a-z]{3,}", part)) >= 5 and CLAUSE_WORD.search(part) and not OTHER_CANCER_TYPES.search(part)
    ]
    if len(parts) < 2:
        return False
    return any(not concepts & {c.concept for c in extract_item(part, kind, lexicon)[0]} for part in parts)


def extract(text: str, lexicon: Lexicon) -> list[Rule]:
    """Every criterion of a trial's eligibility text as a rule, assessed or not."""
    rules = _doubt_self_contradictions(_carry_scope(_extract(text, lexicon)))
    rules = _doubt_lines_counted_from_adjuvant(_doubt_low_receptor_threshold(rules))
    rules = _doubt_exclusions_of_usual_requirements(_doubt_triple_negative_beside_others(rules))
    return _doubt_stricter_of_two_limits(rules)


def _limits(constraint: Constraint) -> list[tuple[str, float]]:
    """The bounds an age or performance reading sets, each with its direction; stricter is smaller."""
    if constraint.concept == "age" and constraint.op in (">=", "<="):
        return [(constraint.op, -constraint.value if constraint.op == ">=" else constraint.value)]
    if constraint.concept == "ecog" and constraint.op == "within":
        return [(scale, value if scale == "ecog" else -value) for scale, value in constraint.value]
    return []


def _doubt_stricter_of_two_limits(rules: list[Rule]) -> list[Rule]:
    """Two different limits on one number in a trial's requirements ("Age 15 to 70", and "Patients
    aged 15-17 years weigh at least 50 kg") cannot both be for everyone: the stricter may be for a
    group the sentence names in a way the reading missed, so it is tentative."""

    def of_everyone(rule: Rule) -> bool:
        return not rule.excludes and not rule.cohort and not rule.alternative

    loosest: dict[tuple[str, str], float] = {}
    for rule in filter(of_everyone, rules):
        for constraint in rule.constraints:
            for direction, bound in _limits(constraint):
                key = (constraint.concept, direction)
                loosest[key] = max(loosest.get(key, bound), bound)
    return [
        replace(rule, doubts=(*rule.doubts, "another limit in the trial"))
        if of_everyone(rule)
        and any(bound < loosest[(c.concept, direction)] for c in rule.constraints for direction, bound in _limits(c))
        else rule
        for rule in rules
    ]


def _usual_requirement(constraint: Constraint) -> bool:
    """What trials ask for, not what they keep out: good performance (ECOG 0-1, Karnofsky 70 and
    above) or measurable disease."""
    if constraint.concept == "ecog" and constraint.op == "within":
        value = dict(constraint.value)
        return value.get("ecog", 5) <= 1 or value.get("karnofsky", 0) >= 70
    return constraint.concept == "measurable_disease" and constraint.value is True


def _usual_exclusion(constraint: Constraint) -> bool:
    """What trials keep out, not what they ask for: poor performance (beyond ECOG 1)."""
    return constraint.concept == "ecog" and constraint.op == "beyond"


def _doubt_exclusions_of_usual_requirements(rules: list[Rule]) -> list[Rule]:
    """An exclusion of what trials require ("ECOG 0-1" under exclusions, often a heading misplaced in
    the record), or a requirement of what they keep out ("ECOG greater than or equal to 2" under
    inclusions, a sign lost or turned in the record), cannot be what the trial means: the reading
    is tentative."""
    doubted = []
    for rule in rules:
        if rule.excludes and any(_usual_requirement(c) for c in rule.constraints):
            rule = replace(rule, doubts=(*rule.doubts, "excludes what trials require"))
        elif not rule.excludes and any(_usual_exclusion(c) for c in rule.constraints):
            rule = replace(rule, doubts=(*rule.doubts, "requires what trials rule out"))
        doubted.append(rule)
    return doubted


NON_TRIPLE_NEGATIVE = re.compile(r"\bnon[\s-]?(?:triple|tnbc)")


def _doubt_triple_negative_beside_others(rules: list[Rule]) -> list[Rule]:
    """A trial whose inclusions also name non-triple-negative disease takes other subtypes too:
    its triple-negative requirement is one group's, so it is tentative."""
    if not any(rule.kind == INCLUSION and NON_TRIPLE_NEGATIVE.search(normalise(rule.text)) for rule in rules):
        return rules
    return [
        replace(rule, doubts=(*rule.doubts, "another subtype named beside it"))
        if rule.kind == INCLUSION and any(c.concept == "triple_negative" for c in rule.constraints)
        else rule
        for rule in rules
    ]


# "Patients who relapsed within 12 months of adjuvant chemotherapy are considered to have failed
# first-line chemotherapy": the trial counts a line her answers about metastatic disease do not.
ADJUVANT_LINE_COUNTED = Guarded(
    re.compile(
        r"\b(?:relaps|recur|progress)\w*\b(?=[^.;]{0,200}\b(?:neo-?)?adjuvant\b)(?=[^.;]{0,200}\b(?:considered|counted|count|counts|regarded|qualif\w*)\b)(?=[^.;]{0,240}\b(?:lines?|regimens?)\b)"
    ),
    ("adjuvant",),
)


def _doubt_lines_counted_from_adjuvant(rules: list[Rule]) -> list[Rule]:
    """A lower bound on lines is tentative where the trial counts an early relapse after
    (neo)adjuvant therapy as a line."""
    if not any(ADJUVANT_LINE_COUNTED.search(normalise(rule.text)) for rule in rules):
        return rules
    return [
        replace(rule, doubts=(*rule.doubts, "lines counted from adjuvant therapy"))
        if any(c.concept == "prior_lines" and c.op in (">=", "==") for c in rule.constraints) and not rule.excludes
        else rule
        for rule in rules
    ]


# "ER < 10%", "ER-low", "weakly positive": a trial that counts low expression as negative.
LOW_RECEPTOR_THRESHOLD = re.compile(
    # Searched in normalised (lower-case) text.
    r"\b(?:(?:er|pr|pgr|estrogen|oestrogen|progesterone|hormone)\b[^;]{0,50}?(?:<|<=|≤|less than|below|under)\s*(?:[2-9]|[1-9]\d)\s*%"
    r"|(?:er|hr|pr)[\s-]?low\b|weakly (?:er[\s-]?|pr[\s-]?|hormone[\s-]receptor[\s-]?)?positive\b|low[\s-]positive\b)"
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


def _categories(constraints: list[Constraint], lexicon: Lexicon) -> set[str]:
    """The categories of facts a reading names, treatment history aside (it goes with any of them)."""
    return {
        lexicon.concepts[c.concept].category if c.concept in lexicon.concepts else c.concept
        for c in constraints
        if c.concept not in THERAPY_CONCEPTS
    }


def _extract(text: str, lexicon: Lexicon) -> list[Rule]:
    rules: list[Rule] = []
    number = 0
    previous_or = False
    for section in parse(text or ""):
        kind = EXCLUSION if section.kind == EXCLUSION else INCLUSION
        permitted = _permitted_under(section.items, kind)
        # Two or more labels naming groups ("Main study cohort:", "Exploratory cohort:") may each
        # open one group's criteria; one such label over the whole list scopes nothing.
        groups = {item.under for item in flatten(section.items) if item.under and names_group(item.under)}
        # A lead offering alternatives with nothing under it ("The following subtypes are eligible:")
        # in a list without marks: the lines after it may be its alternatives, up to the next lead.
        # The run ends at the first line about another category of facts ("Stage IV disease" after
        # a list of cancer types); until then, a line's reading is tentative.
        open_lead = False
        run: set[str] = set()
        for item, lead_item in _items(section.items):
            lead = lead_item.text if lead_item else ""
            if not item.text.strip():
                continue
            opens = lead_item is None and item.text.rstrip().endswith(":")
            if opens:
                open_lead = (
                    kind == INCLUSION
                    and not item.children
                    and item.combinator == "any"
                    and not DEFINITION.search(normalise(item.text))
                )
                run = set()
            # A lead ("Must have one of the following:") requires nothing itself; sentences before it do.
            lead_only = bool(item.children) and item.text.rstrip().endswith(":") and len(item.text) < 200
            if (
                lead_only
                and not _excepting(item)
                and not item.children[0].inline
                and len(sentences(item.text, kind)) < 2
            ):
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
                rules.append(
                    Rule(
                        kind=kind,
                        text=item.text.strip(),
                        item=number,
                        heading=section.heading,
                        span=(item.start, item.end),
                    )
                )
                continue
            number += 0 if item.inline else 1
            # "... progression on a CDK4/6 inhibitor OR" / next item: either of them will do.
            or_chain = bool(re.search(r"\bor\W*$", item.text.strip(), re.IGNORECASE)) or previous_or
            previous_or = bool(re.search(r"\bor\W*$", item.text.strip(), re.IGNORECASE))
            # The tree says whether the lead offers its items as alternatives; a lead may also permit.
            # Under inclusions, items offered as alternatives are each one way in; under exclusions,
            # "any of the following" means each of them excludes.
            soft_lead = bool(
                lead_item
                and ((lead_item.combinator == "any" and kind == INCLUSION) or PERMISSION.search(normalise(lead)))
            )
            seen_in_item: set[tuple[Constraint, bool]] = set()
            first_of_item = len(rules)
            # "Note 2: Chemotherapy refers to ...": every sentence of a note (or listed under one)
            # explains, none requires; nor does a proviso listed under a permission or an exception.
            no_requirement = (
                any(re.match(r"\W*note\b", line.text, re.IGNORECASE) for line in (item, lead_item) if line)
                or id(item) in permitted
            )
            # An excepting lead is read with its carve-out, as the sentence it is.
            excepting = _excepting(item)
            words = " ".join(c.text for c in [item, *flatten(item.children)]) if excepting else item.text
            units = [words] if excepting else sentences(words.strip(), kind)
            # "First line treatment:" over plain lines may open one group's criteria among others.
            group_doubt = ("under a heading naming a group",) if len(groups) > 1 and item.under in groups else ()
            # "History of cardiac disease. This includes:": the list says which ones count.
            listed_doubt = (
                ("examples",) if lead_only and len(units) > 1 and EXAMPLES.search(normalise(units[-1])) else ()
            )
            for sentence in units:
                normal = normalise(sentence)
                # "Prior neratinib is not permitted" among inclusion criteria excludes it.
                denied = kind == INCLUSION and bool(DENIED_AT_END.search(normal)) and not NEGATED_START.match(normal)
                constraints, negated, logic = (
                    ([], False, "all")
                    if no_requirement or (lead_only and not excepting and sentence is units[-1])
                    else extract_item(sentence, kind, lexicon, lead, denied, words)
                )
                if excepting and constraints:
                    # The carve-out qualifies what the lead names; it adds no concept of its own.
                    named = {c.concept for c in extract_item(item.text, kind, lexicon, lead, denied, item.text)[0]}
                    constraints = [c for c in constraints if c.concept in named]
                # A later sentence of the same item restating a constraint adds nothing.
                constraints = [c for c in constraints if (c, negated) not in seen_in_item]
                seen_in_item.update((c, negated) for c in constraints)
                negated = negated and bool(constraints)
                categories = _categories(constraints, lexicon)
                in_run = open_lead and not opens and not lead_item and bool(categories)
                if in_run and run and not categories & run:
                    open_lead = in_run = False
                if in_run:
                    run |= categories
                lead_doubt = ("may be one of a list's alternatives",) if in_run else ()
                rules.append(
                    Rule(
                        kind=kind,
                        text=item.text.strip() if excepting else sentence,
                        constraints=tuple(constraints),
                        logic=logic,
                        negated=negated,
                        cohort=item.cohort or scope_of(sentence),
                        alternative=soft_lead or or_chain or bool(CONDITIONAL.match(normal)),
                        heading=section.heading,
                        item=number,
                        span=(item.start, item.end),
                        doubts=_examples_aside(
                            doubts(sentence, words, lead if kind == INCLUSION else "", constraints, negated),
                            sentence,
                            kind,
                            lexicon,
                            lead,
                            constraints,
                        )
                        + therapy_history_doubt(kind, constraints, negated)
                        + (listed_doubt if constraints else ())
                        + (group_doubt if constraints else ())
                        + lead_doubt
                        + (
                            ("an alternative it did not read",)
                            if constraints and _unexplained_alternative(sentence, kind, lexicon, constraints)
                            else ()
                        ),
                    )
                )
            rules[first_of_item:] = _loosest_line_limits(rules[first_of_item:])
    return rules


def _examples_aside(
    found: tuple[str, ...], sentence: str, kind: str, lexicon: Lexicon, lead: str, constraints: list[Constraint]
) -> tuple[str, ...]:
    """Examples given after the part of an exclusion the reading comes from leave it firm: in
    "History of CNS metastases, significant neurological dysfunction including active seizures,
    or ...", the brain metastases are read from the part before any example. (A requirement
    keeps its doubt: a requirement misread hides a trial.)"""
    if "examples" not in found or kind != EXCLUSION:
        return found
    parts = _list_parts(sentence)
    # The parts before the first that gives examples; the parts after it may go on listing them.
    marked = next((n for n, part in enumerate(parts) if EXAMPLES.search(normalise(part))), 0)
    plain = parts[:marked]
    if not plain:
        return found
    read = {c.concept for c in extract_item(",".join(plain), kind, lexicon, lead)[0]}
    if {c.concept for c in constraints} <= read:
        return tuple(doubt for doubt in found if doubt != "examples")
    return found


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
