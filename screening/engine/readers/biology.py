"""Reading tumour biology from criterion wording: hormone receptors, HER2, genes, PD-L1."""

from __future__ import annotations

import re

from screening.engine.lexicon import Lexicon
from screening.engine.readers import reader
from screening.engine.rules import INCLUSION, Constraint

HR_NAME = (
    r"(?:estrogen (?:receptor )?(?:and/or|or) progesterone receptors?|er and/or progesterone receptor|er\s*\(\s*estrogen receptor\s*\)|er and/or pgr|er and/or pr|er or pr|er and pr|er/pgr|er/pr"
    r"|estrogen receptor|oestrogen receptor|estrogen-receptor|hormone receptor|hormone-receptor|hormone(?= positive)|er|hr)"
)
PR_NAME = r"(?:pr|pgr|progesterone receptor)"
POSITIVE = r"(?:[\s-]*(?:\(\w+\)\s*)?(?:positive|positivity|\+(?!\d)|expressing|rich|pos\b))"
NEGATIVE = r"(?:[\s-]*(?:\(\w+\)\s*)?(?:negative|negativity|-(?=\s|/|,|\)|$)|neg\b|poor|low(?!er)))"


@reader(
    triggers=re.compile(r"\b(?:er|pr|pgr|hr)\b|receptor|estrogen|hormone|luminal|triple|tnbc"),
    breast_only=True,
    basket_biology=True,
    main_clause_only=True,
)
def extract_hormone_receptor(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    found = []
    if re.search(r"\bnon[\s-]?(?:triple|tnbc)", text):
        return []  # "Non-triple-negative breast cancer": any of several subtypes, left to the study team
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
    r"(?:her[\s-]?2(?:[\s/-]?neu)?|(?:c-?)?erbb-?2|human epidermal growth factor receptor[\s-]?2(?:\s*\(her2\))?)"
    r"(?:\s+(?:gene|oncogene|protein|oncoprotein|receptor))?"
)
IHC_2_ENOUGH = re.compile(
    r"(?:>=|\bat least)\s*(?:ihc\s*)?2\s*\+|\b2\s*\+\s*(?:or (?:greater|higher|above|more)|and (?:above|higher)|or 3\s*\+|(?:/|to|-)\s*3\s*\+)"
)
IHC_2_WITH_ISH = re.compile(r"\b2\s*\+[^.;]{0,60}\b(?:ish|fish|cish|sish|amplif\w*|gene copy|ratio)")
# The same facts written verb first: "overexpression of HER2", "tumours that overexpress ErbB2",
# "lack of HER2 amplification", "does not overexpress HER-2/neu".
HER2_RAISED = r"(?:over-?express\w*|amplifi\w*|3\+ over-?express\w*)"
HER2_RAISED_BEFORE = re.compile(rf"\b{HER2_RAISED}\s+(?:of\s+|for\s+)?(?:the\s+)?{HER2_NAME}")
HER2_NOT_RAISED = re.compile(
    rf"\b(?:not|no|non-?|without|lack\w*(?:\s+of)?|absence of|negative for)\s*(?:\w+\s+){{0,2}}?{HER2_RAISED}\s+(?:of\s+|for\s+)?(?:the\s+)?{HER2_NAME}"
    rf"|\b(?:lack\w*(?:\s+of)?|absence of|no|without)\s+{HER2_NAME}[\s-]*(?:gene\s+)?(?:amplification|over-?expression)"
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


@reader(
    triggers=re.compile(r"her[\s-]?2|erbb2|ihc|ultra[\s-]?low|growth factor"),
    breast_only=True,
    basket_biology=True,
    main_clause_only=True,
)
def extract_her2(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    cleaned = HER2_THERAPY.sub(" ", text)
    cleaned = HER2_MUTATION.sub(" ", cleaned)
    levels: set[str] = set()
    not_raised = HER2_NOT_RAISED.search(cleaned)
    if not_raised:
        # "Does not overexpress HER2" is a negated sentence already: its "not" is the sentence's,
        # and what it names is the raised level.
        levels.update(("positive",) if negated else HER2_NEGATIVE_SET)
        cleaned = cleaned[: not_raised.start()] + " " + cleaned[not_raised.end() :]
    if (
        re.search(
            rf"{HER2_NAME}[\s-]*(?:positive|positivity|\+(?!\s*\d)|over-?express\w*|amplified|amplification|3\+)|\b(?:hr[\s-]?[+-]|er[\s-]?[+-])/her2\+|\bher2\+",
            cleaned,
        )
        or HER2_RAISED_BEFORE.search(cleaned)
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
    if "positive" in levels and IHC_2_ENOUGH.search(cleaned) and not IHC_2_WITH_ISH.search(cleaned):
        # "Amplified for HER2 (IHC 2+ or greater)": IHC 2+ alone is enough, so a HER2-low cancer
        # scored 2+ (ISH negative) fits too, as older trials counted 2+ as overexpression.
        levels.add("low")
    if re.search(r"\b0\s*(?:-|to|through)\s*3\s*\+", cleaned):
        return []  # "0 to 3+ HER2": every score, so none is asked for
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
# Alterations trials select for that the questions do not ask about: a trial built for one is
# a question for her oncologist ("Does my tumour have a KRAS mutation?"), never a verdict.
UNASKED_GENES = ("KRAS", "NRAS", "HRAS", "BRAF", "EGFR", "ROS1", "NTRK", "FGFR", "NRG1", "IDH1", "IDH2", "MTAP")
_UNASKED_NOT_REQUIRED = re.compile(
    r"\b(?:status|test(?:ed|ing)|wild[\s-]?type)\b|\bmust (?:have |be )?(?:been )?(?:\w+ )?(?:progress\w*|received?|treated|had)\b"
)
GENE_MENTION = re.compile(
    r"\b(?:g|s|germline\s+|somatic\s+)?(brca\s*1\s*(?:/|or|and|,)\s*2|brca1/2|brca\s*1/2|brca[12]?|palb2|pik3ca|esr1|akt1|akt|pten"
    r"|[khn]ras|braf|egfr|ros1|ntrk[123]?|fgfr[1-4]?|nrg1|idh[12]|mtap)(?:m\b)?",
    re.IGNORECASE,
)
ALTERED = re.compile(
    r"\b(?:mutat\w*|mutant|alteration\w*|altered|variants?|pathogenic|deleterious|activating|carriers?|loss|deficien\w*|inactivat\w*|hotspot|positive|fusions?|rearrange\w*|amplifi\w*)\b|brcam|-m\b"
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
    if word.startswith(("ntrk", "fgfr")):
        return [word[:4].upper()]
    return [word.upper()]


@reader(
    triggers=(
        "brca",
        "palb2",
        "pik3ca",
        "esr1",
        "akt",
        "pten",
        "ras",
        "braf",
        "egfr",
        "ros1",
        "ntrk",
        "fgfr",
        "nrg1",
        "idh",
        "mtap",
    ),
    breast_only=True,
    main_clause_only=True,
)
def extract_genes(text: str, kind: str, negated: bool, lexicon: Lexicon) -> list[Constraint]:
    mentions = list(GENE_MENTION.finditer(text))
    if kind != INCLUSION or negated or _UNASKED_NOT_REQUIRED.search(text):
        # An unasked alteration matters only where the trial is built for it: not where it
        # excludes one, asks for a test result either way, or sets a condition on those who have it.
        mentions = [mention for mention in mentions if _genes(mention[1])[0] not in UNASKED_GENES]
    if not mentions:
        return []
    if re.search(
        r"\b(?:akt|pi3k|parp|mtor|[khn]ras|braf|egfr|fgfr\d?|idh\d?|mtap)[\s-]*(?:\w+[\s-]+)?(?:inhibitor|pathway inhibitor)",
        text,
    ) and not ALTERED.search(text.replace("inhibitor", "")):
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


@reader(triggers=("pd", "l1"), breast_only=True, main_clause_only=True)
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
