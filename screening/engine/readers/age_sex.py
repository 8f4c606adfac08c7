"""Reading age and sex from criterion wording."""

from __future__ import annotations

import re

from screening.engine.lexicon import Lexicon
from screening.engine.readers import reader
from screening.engine.rules import EXCLUSION, INCLUSION, Constraint

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


@reader(triggers=("age", "year", "yo", "adult"))
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
    range_match = re.search(r"\b(\d{2})\s*(?:-|to)\s*(\d{2,3})\s*(?:years?|yrs?)", text) or re.match(
        r"\W*age\s*:\s*(\d{2})\s*(?:-|to)\s*(\d{2,3})\b",
        text,  # "Age: 16 to 70" in old NCI records
    )
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


@reader(triggers=("male", "women", "woman", "men", "man"))
def extract_sex(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    text = BOTH_MENOPAUSAL_STATES.sub(" ", text)  # "pre- and post-menopausal" says nothing either way
    if re.search(r"childbearing|pregnan|potential|contracept|partner|sexual|sperm|condom|birth control", text):
        return []
    if MENOPAUSE_DEFINED.search(text):
        return []  # "postmenopausal: age >= 60 or amenorrhoea ..." defines a word
    opener = r"^\W*(?:(?:sex|gender)\s*:\s*)?(?:adult\s+)?(?:(?:pre|post|peri)[\s-]?menopausal\s+)?(?:{})\b(?:\s+(?:patients?|participants?|subjects?|sex|gender))?(?:\s+only)?\s*(?:,|\.|$|aged?\b|>=|\d|with\b|who (?:are|have)\b|must be\s+(?:>=|\d|aged?\b|older|over)|diagnosed|of (?:any|all)\b|\()"
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
