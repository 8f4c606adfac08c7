"""Reading current health from criterion wording: activity level, pregnancy, hospice care, neuropathy."""

from __future__ import annotations

import re

from screening.engine.clauses import EXCEPTIONS, PERMISSION
from screening.engine.lexicon import Lexicon
from screening.engine.readers import reader
from screening.engine.rules import EXCLUSION, INCLUSION, Constraint

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
        # "0 1;" at the end: a list whose separator the record lost (a broken line rejoined).
        r"(?:of |score of |status of |: |is |\()?\s*(\d{1,3})\s*%?\s*(?:-|to|or|and|&|,|\s(?=\s*\d{1,3}\s*[;.]?\s*$))\s*(\d{1,3})"
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


@reader(triggers=("ecog", "performance", "zubrod", "karnofsky", "kps", "ps", "who"))
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


@reader(triggers=("pregnan", "feed", "lactat", "nursing", "chorionic", "hcg"))
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


@reader(triggers=("hospice",))
def extract_hospice(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    if "hospice" in text and (kind == EXCLUSION) != negated:
        return [Constraint("hospice", "is", True)]
    return []


@reader(triggers=("neuropath",))
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
