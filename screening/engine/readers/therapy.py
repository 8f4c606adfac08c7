"""Reading prior therapy from criterion wording: the drugs and classes received, in which
setting, and counts of lines."""

from __future__ import annotations

import re

from screening.engine.clauses import CONDITIONAL_ANYWHERE, DENIAL, EXCEPTIONS, PERMISSION, WASHOUT, _n
from screening.engine.lexicon import Lexicon
from screening.engine.readers import reader
from screening.engine.readers.history import BRAIN
from screening.engine.rules import EXCLUSION, INCLUSION, Constraint

THERAPY_CONTEXT = re.compile(
    r"\b(?:prior|previous|previously|received|receiving|receipt|treated|treatment with|therapy with|exposure|exposed|progress\w*|after|following|refractory|resistant|failed|failure|pretreated|pre-treated|naive|history of|had|must have|recurrence on|relapse\w* (?:on|during|within))\b"
)
THERAPY_SKIP = re.compile(
    r"^\W*(?:currently |concurrently |presently )?receiving\b|\b(?:hypersensitiv\w*|allerg\w*|anaphyla\w*|(?:infusion|severe) reactions?|reactions? to|contraindicat\w*|intoleran\w*|concomitant|concurrent\w*|cyp\w*|inducers?|p-gp|half[\s-]li\w*|washout|wash-out|unable to (?:take|receive|swallow)|ineligible for|candidates? for|not (?:a )?candidate|unsuitable for|plan\w* to receive|will receive|randomi[sz]ed to|scheduled|planned|planning|about to|to be treated|must be treated with|will be treated|current(?:ly)? (?:treatment|use|therapy|taking)|candidates? for|discontinued (?:due to|because of|for) (?:toxicit|intoleran|adverse|side)\w*|toxicit\w*|stopped|interrupt\w*|dose reduc\w*|cumulative|doses? (?:of|>|>=|exceed)\w*|\d+\s*mg(?:/m2|/m²)|irae\w*|immune[\s-]related adverse|adverse (?:events?|reactions?)|grade (?:>= ?)?[234]|toxic|side[\s-]effects?|not an? (?:option|candidate)|requir\w* (?:\w+ )?(?:radiation|radiotherapy))\b"
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


@reader(
    triggers=(
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
    therapy=True,
    names_therapies=True,
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


@reader(
    triggers=("line", "regimen", "course", "therap", "treatment", "untreated", "naive"),
    therapy=True,
    main_clause_only=True,
)
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
        r"\b(?:no (?:prior|previous) (?:(?:systemic|cytotoxic|endocrine|anti-?cancer|anti-?neoplastic) ){0,2}(?:therapy|therapies|treatment|treatments|chemotherapy|endocrine therapy)|(?:treatment|therapy)[\s-]naive|not (?:have )?(?:been )?(?:previously )?(?:received|treated with) (?:any )?(?:prior )?(?:systemic |cytotoxic )?(?:therapy|treatment|chemotherapy)|untreated)\b"
        # "No previous therapy with anti-VEGF or anti-PD-1 antibody ...": named drugs, not lines.
        r"(?!\s+(?:with|using|containing|based on)\b)",
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
