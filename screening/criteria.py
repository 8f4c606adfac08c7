"""Eligibility criteria text: cleaning and splitting into sections and items.

Pure functions over strings, no Django. ClinicalTrials.gov gives the criteria as one
markdown string whose headings, bullets and escapes vary from record to record.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache

INCLUSION = "inclusion"
EXCLUSION = "exclusion"
OTHER = "other"

_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>=~|^])")
_BULLET = re.compile(
    r"^(?P<indent>\s*)(?:(?P<mark>[*\-+•·▪◦●○])|(?P<num>\(?(?:\d{1,2}|[a-zA-Z]|[ivxIVX]{1,4})[.)]))\s+(?P<text>.*)$"
)
_HEADING = re.compile(
    r"\b(?P<kind>inclusion|exclusion|eligibility|inclusionary|exclusionary)\s+criteri(?:a|on)\b", re.IGNORECASE
)
# "Part 2 and Phase 2": a list of parts may name the kind of part again at each one.
_PART_WORD = r"(?:cohort|arm|part|group|module|phase)"
_COHORT = re.compile(
    rf"^\W*(?P<cohort>{_PART_WORD}\s+[\w\-]+(?:\s*(?:and|or|,|/|&)\s*(?:{_PART_WORD}\s+)?[\w\-]+)*)\s*(?:only)?\s*(?:[:\-–]|$)",
    re.IGNORECASE,
)


def clean(text: str) -> str:
    """Undo markdown escapes and (possibly repeated) HTML entities; keep the wording."""
    previous = None
    # Some records carry entities escaped twice or three times (&amp;gt;).
    for _ in range(4):
        if text == previous:
            break
        previous, text = text, html.unescape(text)
    text = _ESCAPE.sub(r"\1", text)
    text = text.replace("\u00a0", " ").replace("\r\n", "\n").replace("\r", "\n")
    return text


# A lead that offers its sub-items as alternatives: "must have one of the following:".
ALTERNATIVES_LEAD = re.compile(
    r"\b(?:(?:any|one|1|either|at least (?:one|1)|one or more|1 or more) of|either|defined as|defined by|as follows"
    # A tumour has one subtype, a patient joins one cohort: such a list is a menu.
    r"|(?:following|these|listed) (?:\w+ )?(?:sub)?types|subtypes|(?:following|these|listed) (?:cohorts|groups|populations|categories))\b",
    re.IGNORECASE,
)


@dataclass
class Item:
    text: str
    depth: int = 0
    cohort: str = ""
    children: list[Item] = field(default_factory=list)
    # Where the item's words stand in the cleaned text (`clean(text)`), so a reading can be shown in place.
    start: int = 0
    end: int = 0
    # An entry of an enumeration written inside its parent's line: one criterion of the record with it.
    inline: bool = False
    # The short label line the item stands under in a list of plain lines ("First line treatment:").
    under: str = ""

    @property
    def combinator(self) -> str:
        """How the sub-items combine: "any" when the lead offers them as alternatives, else "all"."""
        return "any" if ALTERNATIVES_LEAD.search(self.text) else "all"


@dataclass
class Section:
    kind: str
    heading: str
    items: list[Item] = field(default_factory=list)


# "Key Inclusion/Exclusion Criteria:" names both kinds: what follows is not one of them.
_BOTH_KINDS = re.compile(r"\binclusion\s*(?:/|and|&|and/or|or)\s*exclusion\b", re.IGNORECASE)
_NOT_ELIGIBLE_HEADING = re.compile(
    r"\b(?:ineligibility|non-?inclusion|non-?eligibility)\s+criteri(?:a|on)\b", re.IGNORECASE
)
# A lead line that says who is kept out or let in: "Patients are NOT eligible if:".
_WHO_LEAD = re.compile(
    r"^(?:the following\s+)?(?:patients?|participants?|subjects?|individuals|women|men|persons)\b[^:]{0,60}?"
    r"\b(?P<sense>(?:are|is|will) not (?:be )?eligible|(?:are|is) ineligible|will be excluded|(?:are|is) excluded|must be excluded"
    r"|cannot meet|must not meet|(?:are|is|will be) eligible)\b[^:]{0,40}(?::|\bif)\s*$",
    re.IGNORECASE,
)


def _heading_kind(line: str) -> str | None:
    """The kind of section a line opens, if it is a heading such as "Key Exclusion Criteria:"."""
    bare = re.sub(r"^[\s*_#>\-\d.()]+", "", line).strip().strip("*_#").strip()
    short = re.match(r"^(?:key |main |major )?(inclusion|exclusion)s?\s*:?$", bare, re.IGNORECASE)
    if short:
        return INCLUSION if short[1].lower() == "inclusion" else EXCLUSION
    # A long line is a criterion, unless it opens with the heading and goes on to introduce the
    # list ("Exclusion Criteria Subjects who meet any of the following criteria will be excluded ...:").
    if len(bare) > 120 and not (_HEADING.match(bare) and len(bare) <= 240):
        return None
    lead = _WHO_LEAD.match(bare)
    if lead:
        refused = re.search(r"\b(?:not|cannot|ineligible|excluded)\b", bare, re.IGNORECASE)
        return EXCLUSION if refused else INCLUSION
    if _NOT_ELIGIBLE_HEADING.search(bare) and len(bare) < 60:
        return EXCLUSION
    if _BOTH_KINDS.search(bare) and len(bare) < 60:
        return OTHER
    matches = list(_HEADING.finditer(bare))
    if not matches:
        return None
    last = matches[-1]
    tail = bare[last.end() :].strip(" :*_-")
    # A heading ends at the keyword, give or take a short aside such as "(additional criteria may apply)".
    # ...or a line that ends with a colon: "The main exclusion criteria include the following:".
    introduces = line.rstrip().rstrip("*_ ").endswith(":") and not re.search(r"\b(?:must|should)\b", tail)
    if not introduces and (len(tail) > 45 or (len(tail) > 20 and not tail.startswith(("(", "for", "-", "–")))):
        return None
    kind = last["kind"].lower()
    if kind.startswith("exclusion"):
        return EXCLUSION
    if kind.startswith("inclusion"):
        return INCLUSION
    return OTHER


_SUBHEADING = re.compile(r"^[A-Z][A-Z0-9 /,&()\-]{3,60}:$")
_SCOPE = re.compile(
    # "(phase II portion)", "(Patients in Cohorts A and A1)": whom a closing bracket says the item is for.
    r"\((?:for |in |(?:patients?|participants?|subjects?) (?:in|of|enrolled in) )?(?:the )?(?P<scope>(?:phase|part|cohort|arm|module|(?:treatment )?group)s?\s+[\w\-/]+(?:\s*(?:and|or|&|,)\s*[\w\-/]+)*)(?:\s+(?:portion|part|only|cohorts?|arms?))*\)\s*\.?$",
    re.IGNORECASE,
)
# A short label naming a part of the trial, however worded: "Phase 2a Cohort A:", "Monotherapy
# Cohorts:", "Combination Cohorts (drug A with drug B):".
_LABEL_SCOPE = re.compile(
    r"^\W*(?P<scope>(?:[\w+/-]+\s+){0,3}?(?:(?:phase|part|cohort|arm|module)\s+[\w/-]{1,4}(?:\s+(?:cohort|arm|part|group)\s+[\w/-]{1,4})?|(?:cohort|arm|part|module)s))(?:\s*\([^)]{1,80}\))?\s*:",
    re.IGNORECASE,
)


_LEADING_SCOPE = re.compile(
    r"^\W*(?:for |in |at |during )?(?:(?:enrol\w*|entry|inclusion|participation) (?:in|into|to|on) )?(?:the )?(?P<scope>(?:phase|part|cohort|arm|module|(?:treatment )?group)\s+[\w\-/]+(?:\s+(?:and|or|&)\s+(?:(?:phase|part|cohort|arm|module|group)\s+)?[\w\-/]+)?|ph-[\w/]+(?:\s+(?:and|or|&)\s+ph-[\w/]+)?|dose[\s-](?:escalation|expansion)(?: phase| part| cohort| stage)?)(?:\s*\([^)]{1,30}\))?(?:\s+only)?\s*[,:]",
    re.IGNORECASE,
)


# "NCI PDMR EXCLUSION CRITERIA: Patients with HIV ...": criteria of a named sub-study.
_SUBSTUDY = re.compile(
    r"^\W*(?P<scope>(?!(?:key|main|general|additional|specific|other|study|disease|major|minor|all)\b)[A-Za-z][\w\-]*(?:\s+[\w\-]+){0,3}?)"
    r"\s+(?:inclusion|exclusion|eligibility)\s+criteria\s*:",
    re.IGNORECASE,
)


# A label before a colon (no verb of its own) that names a part of the trial or the cancer a
# group of criteria is for: "Applicable to the dose expansion phase (Phase 2a) only:",
# "Dose-Escalation Stage Cohort B and Cohort-Expansion Stage Cohorts F and H (HR+ Breast Cancer):",
# "cHL:", "Solid tumors:", "TNBC:".
_LABEL = re.compile(r"^\W*(?P<label>[^:.;]{2,160}?)\s*:")
_LABEL_VERB = re.compile(
    r"\b(?:must|should|shall|will|may|can|have|has|had|is|are|was|were|be|been|being|received|receiving|"
    r"include|includes|including|defined|following|as follows|such as|e\.g|i\.e)\b",
    re.IGNORECASE,
)
_TRIAL_PART = re.compile(
    r"\b(?:phase|part|cohort|arm|module|group|sub-?study)s?\s+(?:[ivx]{1,4}|\d{1,2}|[a-z]{1,2}\d?|\d[a-z])\b"
    r"|\bdose[\s-](?:escalation|expansion|finding)\b|\b(?:escalation|expansion) (?:stage|phase|cohorts?)\b"
    r"|\b[\w+-]+ (?:cohort|arm)s?$"
    # "Monotherapy period", "Combination period"; a screening or washout period is not a part of the trial.
    r"|\b(?!(?:screening|wash-?out|washing|baseline|follow-?up|study|treatment|trial|observation|run-?in|the)\b)[\w+-]+ period$",
    re.IGNORECASE,
)
_GROUP_DISEASE = re.compile(
    r"^(?:[\w+/-]+\s+){0,3}?(?:chl|hl|hodgkin\w*|lymphomas?|solid tumou?rs?|tnbc|hr\+[\w/+-]*|her2[\w+-]*|nsclc|sclc|"
    r"hnscc|scchn|crc|hcc|rcc|dlbcl|ptcl[\w-]*|melanoma|mesothelioma|sarcomas?|(?:[\w+/-]+\s+){0,2}(?:cancers?|carcinomas?)"
    r"|breast|lung|ovar\w*|gastric|colorectal|prostate|pancrea\w*|bladder|urothelial|endometri\w*|cervical|renal|esophageal"
    r"|oesophageal|head and neck)$",
    re.IGNORECASE,
)
_EVERYONE = re.compile(
    r"^\W*(?:for )?all (?:participants|patients|subjects|cohorts|arms|parts)\b|\b(?:all|both|each|every|general|common)\b",
    re.IGNORECASE,
)


def group_label(body: str) -> str:
    """The part of the trial or the cancer a line's label names ("" when it names none)."""
    label = _LABEL.match(body)
    if not label or _LABEL_VERB.search(label["label"]):
        return ""
    words = label["label"].strip(" *_-")
    return words if _names_part_or_cancer(words) else ""


def _names_part_or_cancer(words: str) -> bool:
    split = words.split()
    # "NSCLC first line", "Gastric cancer, second line": a cancer named first, then its setting
    # (a named one: "Cancer treatment and type criteria" names none).
    prefixes = (" ".join(split[:n]).strip(",") for n in range(1, len(split) + 1))
    return bool(
        _TRIAL_PART.search(words)
        or (
            len(split) <= 5
            and any(_GROUP_DISEASE.match(prefix) and not _GENERIC_CANCER.fullmatch(prefix) for prefix in prefixes)
        )
    )


_GENERIC_CANCER = re.compile(
    r"(?:the |any |other |all )?(?:cancers?|carcinomas?|malignanc\w*|solid tumou?rs?|tumou?rs?)", re.I
)


# A disease setting or line of treatment: a label naming one names a group of patients.
_SETTING = re.compile(
    r"\b(?:metastatic|advanced|late[\s-]stage|early[\s-]stage|labc|mbc|abc|locally|recurren\w*|relapsed|refractory"
    r"|(?:first|second|third|1st|2nd|3rd|later|subsequent)[\s-]line|de novo|pre-?treated|treatment[\s-]na[iï]ve)\b",
    re.IGNORECASE,
)


def names_group(label: str) -> bool:
    """Whether a label names a group of patients (a part of the trial, a cancer, a setting)."""
    words = re.sub(r"\([^)]*\)", " ", label).strip(" :*_-")
    if _EVERYONE.match(words):
        return False
    return bool(_SETTING.search(words)) or _names_part_or_cancer(words)


def bare_part(body: str) -> str:
    """A plain line that only names a part of the trial, without a colon ("Monotherapy Period",
    "Dose Escalation"): a label over the lines that follow, as it would be with one."""
    words = body.strip()
    if not words or words[-1] in ";.,:)" or len(words.split()) > 5 or _LABEL_VERB.search(words):
        return ""
    if re.search(r"\b(?:cohort|arm|part|phase|group|module|period)s$", words, re.IGNORECASE):
        return ""  # "Primary Study Cohorts" heads several parts; it is none of them
    part = _TRIAL_PART.search(words)
    return words if part and part.end() == len(words) else ""


def is_label(body: str) -> bool:
    """A short line ending in a colon with no verb: a label over the lines that follow."""
    return body.rstrip().endswith(":") and len(body.split()) <= 8 and not _LABEL_VERB.search(body)


@lru_cache(maxsize=8192)
def scope_of(body: str) -> str:
    """A trailing "(phase II)", a leading "For Module 2 only," or a sub-study's name limits an item to part of the trial."""
    match = _SCOPE.search(body) or _LEADING_SCOPE.search(body) or _SUBSTUDY.search(body) or _LABEL_SCOPE.search(body)
    return match["scope"] if match else group_label(body)


# A plain line that states its own requirement is a criterion of its own, not one more
# alternative under "... as 1 of the following:" (unbulleted records give no other sign).
_REQUIRES = re.compile(
    r"\b(?:must|should|shall|(?:is|are) required|(?:is|are) (?:not )?(?:eligible|allowed|permitted))\b", re.I
)


def _continues(previous: str, body: str, indent: int) -> bool:
    """Whether a plain line carries on the item above it rather than starting a new one."""
    if indent > 0:
        return True
    return (
        bool(re.search(r"[,;(\-/]$|\b(?:and|or|of|with|to|the|a|an|in|for|unless|except|than)$", previous))
        or body[:1].islower()
        or _broken_number(previous, body)
    )


def _child_of(lead: Item, body: str, cohort: str, start: int, end: int) -> Item:
    """A line under a lead ending in ":", as one of the lead's items."""
    item = Item(body, depth=lead.depth + 1, cohort=scope_of(body) or cohort, start=start, end=end)
    lead.children.append(item)
    return item


def _mark_style(bullet: re.Match[str]) -> str:
    """How a line is marked: a bullet sign, a number, or a letter."""
    if bullet["mark"]:
        return "sign"
    return "number" if re.match(r"\(?\d", bullet["num"]) else "letter"


def _broken_number(previous: str, body: str) -> bool:
    """ "ECOG: 0", then "1;" after a blank line: a range or list of numbers broken over lines in the
    record. A bare number is never a criterion of its own."""
    return bool(re.search(r"\d\s*$", previous) and re.fullmatch(r"\d{1,3}\s*[;.,]?", body.strip()))


# A mark of an enumeration written inside one item: "1.", "2)", "(a)", "ii.".
_INLINE_MARK = re.compile(r"(?:^|(?<=[\s:;,]))(?P<open>\()?(?P<mark>\d{1,2}|[a-zA-Z]|[ivx]{1,4})(?P<close>[.)])(?=\s)")
_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x")


def _next_mark(mark: str, roman: bool) -> str:
    if mark.isdigit():
        return str(int(mark) + 1)
    if roman:
        return _ROMAN[_ROMAN.index(mark) + 1] if mark in _ROMAN[:-1] else ""
    return chr(ord(mark) + 1)


def _inline_marks(text: str) -> list[re.Match[str]]:
    """The marks of an enumeration an item writes on its own line after a lead ending in a colon
    ("must have one of the following: 1. ... 2. ... 3. ..."), in order; empty when there is none."""
    marks = list(_INLINE_MARK.finditer(text))
    for index, first in enumerate(marks):
        if first["mark"] not in ("1", "a", "A", "i") or not text[: first.start()].rstrip().endswith(":"):
            continue
        form, roman = (first["open"], first["close"]), first["mark"] == "i"
        run, wanted = [first], _next_mark(first["mark"], roman)
        for mark in marks[index + 1 :]:
            if mark["mark"] == wanted and (mark["open"], mark["close"]) == form:
                run.append(mark)
                wanted = _next_mark(wanted, roman)
        if len(run) >= 2:
            return run
    return []


_ENUMERATION_JOIN = re.compile(r"[\s,;]*(?:\b(?:and|or|and/or)\b)?[\s,;]*$", re.IGNORECASE)


def _split_inline(item: Item) -> None:
    """Make an inline enumeration's entries the item's children, each with its own offsets, so
    the tree (not a phrase) decides how they combine. (The offsets are exact for an item written
    on one line; where a record wraps an item over several, they are counted in its joined text.)"""
    marks = _inline_marks(item.text)
    if not marks:
        return
    lead_end = marks[0].start()
    item.cohort = scope_of(item.text[:lead_end]) or item.cohort  # "For the expansion cohort: (i) ... (ii) ..."
    ends = [mark.start() for mark in marks[1:]] + [len(item.text)]
    for mark, end in zip(marks, ends, strict=True):
        start = mark.end() + (len(item.text[mark.end() : end]) - len(item.text[mark.end() : end].lstrip()))
        body = _ENUMERATION_JOIN.sub("", item.text[start:end])
        if body:
            item.children.append(
                Item(
                    body,
                    depth=item.depth + 1,
                    cohort=scope_of(body) or item.cohort,
                    start=item.start + start,
                    end=item.start + start + len(body),
                    inline=True,
                )
            )
    item.text = item.text[:lead_end].rstrip()
    item.end = item.start + len(item.text)


def parse(text: str) -> list[Section]:
    """Split criteria text into sections (inclusion, exclusion, other), each a tree of items."""
    sections: list[Section] = []
    current = Section(OTHER, "")
    stack: list[tuple[int, Item]] = []  # (indent, item) of the open path in the tree
    cohort = ""
    last_item: Item | None = None
    plain_lead: Item | None = None
    blank_since_item = False
    under = ""
    part = ""
    parts: dict[int, tuple[Section, str]] = {}
    lead_marks: dict[int, str] = {}  # a plain lead's marked alternatives: how they are marked

    def start_section(kind: str, heading: str) -> None:
        nonlocal current, stack, cohort, last_item, plain_lead, under, part
        if current.items or current.heading:
            sections.append(current)
        current = Section(kind, heading)
        stack = []
        cohort = ""
        under = ""
        part = ""
        last_item = None
        plain_lead = None

    offset = 0
    for raw_line in clean(text).split("\n"):
        line_start, offset = offset, offset + len(raw_line) + 1
        if not raw_line.strip():
            blank_since_item = True
            plain_lead = None
            continue
        kind = _heading_kind(raw_line)
        if kind:
            start_section(kind, raw_line.strip().strip("*_#: ").strip())
            continue
        bullet = _BULLET.match(raw_line)
        if bullet:
            indent = len(bullet["indent"].expandtabs(4))
            body = bullet["text"].strip()
            body_start = line_start + bullet.start("text")
            body_end = body_start + len(body)
        else:
            indent = len(raw_line) - len(raw_line.lstrip())
            body = raw_line.strip()
            body_start = line_start + raw_line.index(body)
            body_end = body_start + len(body)
            if _SUBHEADING.match(body):
                # "DISEASE CHARACTERISTICS:" in older records groups criteria; it is not one.
                stack, last_item, plain_lead, under = [], None, None, ""
                continue
            if last_item is not None and (
                _broken_number(last_item.text, body)
                or (not blank_since_item and _continues(last_item.text, body, indent))
            ):
                last_item.text = f"{last_item.text} {body}"
                last_item.end = body_end
                continue
            if (
                plain_lead is not None
                and not blank_since_item
                and not body.endswith(":")
                and not _REQUIRES.search(body)
            ):
                # Plain lines under "Defined by one of the following:" belong to it.
                last_item = _child_of(plain_lead, body, cohort, body_start, body_end)
                continue
        style = _mark_style(bullet) if bullet else ""
        if (
            bullet
            and plain_lead is not None
            and not blank_since_item
            and plain_lead.combinator == "any"
            and style == (lead_marks.get(id(plain_lead)) or style)
        ):
            # "... one of the following types:" over "A. Metastatic breast cancer ... E. Any tumor type":
            # the marked lines are the lead's alternatives, as plain lines under it are, until a line
            # marked another way ("- Biopsy Requirements:") starts the next criterion.
            lead_marks[id(plain_lead)] = style
            last_item = _child_of(plain_lead, body, cohort, body_start, body_end)
            continue
        if bullet and last_item is not None and re.match(r"(?:and|or|but|with|without)\s", body):
            # "* and a rising tumour marker ..." finishes the bullet above it.
            last_item.text = f"{last_item.text} {body}"
            last_item.end = body_end
            continue
        cohort_match = _COHORT.match(body)
        if cohort_match and len(body) - cohort_match.end() < 3:
            # "Cohort B only:" on its own line scopes the items that follow.
            cohort = cohort_match["cohort"]
            stack = []
            last_item = None
            continue
        named_part = "" if bullet else bare_part(body)
        label = "" if bullet else (group_label(body) or named_part)
        if label and _TRIAL_PART.search(label) and not _LABEL_VERB.search(body.split(":", 1)[-1]):
            # A plain line naming a part of the trial may open that part's criteria: the lines
            # after it are its own until another part is named (kept if two or more are named).
            part = "" if _EVERYONE.search(label) else label
        elif not bullet and _EVERYONE.match(body):
            part = ""  # "All participants:" closes the parts named before it
        item_cohort = cohort_match["cohort"] if cohort_match else (scope_of(body) or cohort)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if stack and not item_cohort:
            item_cohort = stack[-1][1].cohort  # a sub-item of a scoped item shares its scope
        item = Item(body, depth=len(stack), cohort=item_cohort, start=body_start, end=body_end, under=under)
        if part:
            parts[id(item)] = (current, part)
        if not bullet and (is_label(body) or named_part):
            under = body.rstrip(" :")
        if stack:
            stack[-1][1].children.append(item)
        else:
            current.items.append(item)
        if bullet:
            stack.append((indent, item))
        plain_lead = item if not bullet and body.endswith(":") else None
        last_item = item
        blank_since_item = False
    if current.items or current.heading:
        sections.append(current)
    for section in sections:
        named = {name for owner, name in parts.values() if owner is section}
        for item in flatten(section.items):
            if len(named) > 1 and not item.cohort and id(item) in parts:
                item.cohort = parts[id(item)][1]
            if not item.children:
                _split_inline(item)
    return sections


def flatten(items: list[Item]) -> list[Item]:
    out: list[Item] = []
    for item in items:
        out.append(item)
        out.extend(flatten(item.children))
    return out
