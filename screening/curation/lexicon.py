"""Curators' additions to the lexicon: a drug, or a brand name of a drug already there.

Every check `load_lexicon` makes of the fixture files is made of the lexicon the addition
would give (`knowledge.check_lexicon`), after checks the files alone cannot make: a new name
must not already read, in a trial's text, as another drug or a drug class. Nothing is saved
unless all pass; the lexicon, its revision and the trials it changes are saved in one
transaction, so every worker sees the new lexicon and the trials read with it together.

Only the trials whose text names a new name are read again. The engine meets drugs and
classes only through `Lexicon.therapy_mentions`, so a trial whose mentions stay the same
reads the same with the new lexicon: it is only marked as read with it (its rules_version).
`export_lexicon` then writes the lexicon back to fixtures/lexicon/ for review.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q

from screening.criteria import clean
from screening.engine.extract import rules_version
from screening.engine.lexicon import Drug as DrugData
from screening.engine.lexicon import Lexicon, LexiconError
from screening.engine.parallel import rules_for
from screening.knowledge import LEXICON, check_lexicon, forget_lexicon, lexicon_from_database
from screening.models import Drug, DrugClass, Revision, Trial

logger = logging.getLogger("trialscreen.curation")

NON_FIELD = "__all__"  # a problem of the whole addition, as Django forms name it
NAME_MIN, NAME_MAX = 3, 100
# Letters, digits, single spaces and hyphens, a letter or digit at each end; commas too in a
# generic name ("pertuzumab, trastuzumab and hyaluronidase"), since brands and codes are typed
# as comma-separated lists. Other characters (®, *, /) would change how the name is matched.
_GENERIC_NAME = re.compile(r"[a-z0-9]+(?:(?:, | |-)[a-z0-9]+)*")
_ALIAS = re.compile(r"[A-Za-z0-9]+(?:[ -][A-Za-z0-9]+)*")
_WORD = re.compile(r"[a-z0-9]+")


class Refused(Exception):
    """The addition was not saved; `problems` holds the messages by form field."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, found in problems.items() for message in found))
        self.problems = problems


@dataclass(frozen=True)
class NewDrug:
    name: str
    brands: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()

    @classmethod
    def typed(cls, name: str, brands: str = "", codes: str = "", classes: Iterable[str] = ()) -> NewDrug:
        """From what a curator typed: spaces tidied, the generic name in lower case, lists split at commas."""
        return cls(tidy(name).lower(), split_list(brands), split_list(codes), tuple(dict.fromkeys(classes)))

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.brands, *self.codes)


@dataclass(frozen=True)
class Change:
    """What a curator added, and what it did to the catalogue's readings."""

    curator: str
    what: str  # "the drug zorvestrant (brand names Zorvex; classes Oral SERD)"
    read_again: int  # trials whose text names a new name, read with the new lexicon
    kept: int  # trials read with the lexicon before, which read the same with the new one

    @property
    def message(self) -> str:
        read = "1 trial naming it was" if self.read_again == 1 else f"{self.read_again} trials naming it were"
        kept = "1 other keeps its reading" if self.kept == 1 else f"{self.kept} others keep their reading"
        return f"{self.curator} added {self.what}. {read} read again; {kept}."


def tidy(text: str) -> str:
    return " ".join(text.split())


def split_list(text: str) -> tuple[str, ...]:
    return tuple(part for part in map(tidy, text.split(",")) if part)


# --- Checks -------------------------------------------------------------------------------


def drug_problems(drug: NewDrug, lexicon: Lexicon) -> dict[str, list[str]]:
    """Every problem with adding this drug to the lexicon, by field; empty when it may be added."""
    problems: dict[str, list[str]] = {}

    def note(field: str, problem: str) -> None:
        if problem:
            problems.setdefault(field, []).append(problem)

    if drug.name in lexicon.drugs:
        note("name", f"{drug.name} is already in the lexicon. To give it another name, add a brand name to it.")
    else:
        note("name", _spelling_problem(drug.name, generic=True) or _reading_problem(drug.name, lexicon))
    given = {_words(drug.name): drug.name}
    for field, aliases in (("brands", drug.brands), ("codes", drug.codes)):
        for alias in aliases:
            note(field, _spelling_problem(alias) or _given_twice(alias, given) or _reading_problem(alias, lexicon))
    if not drug.classes:
        note("classes", "Tick at least one drug class.")
    for key in drug.classes:
        if key not in lexicon.classes:
            note("classes", f"{key} is not a drug class of the lexicon.")
    return problems


def brand_problems(drug_name: str, brand: str, lexicon: Lexicon) -> dict[str, list[str]]:
    """Every problem with adding this brand name to the drug, by field; empty when it may be added."""
    problems = {}
    if drug_name not in lexicon.drugs:
        problems["drug"] = ["Choose a drug of the lexicon."]
    brand_problem = _spelling_problem(brand) or _reading_problem(brand, lexicon, drug_name)
    if brand_problem:
        problems["brand"] = [brand_problem]
    return problems


def _spelling_problem(name: str, *, generic: bool = False) -> str:
    if not name:
        return "Enter a name."
    if len(name) < NAME_MIN:
        return f"“{name}” is too short: a name has at least {NAME_MIN} characters."
    if len(name) > NAME_MAX:
        return f"“{name[:20]}…” is too long: a name has at most {NAME_MAX} characters."
    if not (_GENERIC_NAME if generic else _ALIAS).fullmatch(name):
        allowed = "letters, digits, spaces, hyphens and commas" if generic else "letters, digits, spaces and hyphens"
        return f"“{name}”: use {allowed} only, starting and ending with a letter or digit (leave out ® and ™)."
    if not re.search(r"[A-Za-z]", name):
        return f"“{name}” needs a letter: a number alone would be found among doses and dates."
    return ""


def _words(name: str) -> tuple[str, ...]:
    """A name as trial texts are matched against it: its words, ignoring case, spaces and hyphens."""
    return tuple(_WORD.findall(name.lower()))


def _given_twice(alias: str, given: dict[tuple[str, ...], str]) -> str:
    words = _words(alias)
    if words not in given:
        given[words] = alias
        return ""
    return f"“{alias}” is given twice (as “{given[words]}” too); names are compared ignoring case, spaces and hyphens."


def _reading_problem(name: str, lexicon: Lexicon, drug: str = "") -> str:
    """What the name already reads as in a trial's text, if all of it is one drug or class of the lexicon;
    or the name of another drug it respells ("LEE-011" of ribociclib's "LEE011"). `drug` is its own drug."""
    for key, start, end in lexicon.therapy_mentions(name):
        if start == 0 and end == len(name):
            kind, _, known = key.partition(":")
            if kind == "drug":
                return f"“{name}” already names the drug {known}."
            return f"“{name}” already reads as the drug class {lexicon.classes[known].label} ({known})."
    compact = "".join(_words(name))
    for other in lexicon.drugs.values():
        for alias in (other.name, *other.brands, *other.codes):
            if other.name != drug and "".join(_words(alias)) == compact:
                return f"“{name}” is another spelling of {alias}, a name of the drug {other.name}."
    return ""


# --- Saving -------------------------------------------------------------------------------


def add_drug(drug: NewDrug, *, curator: str) -> Change:
    """Add a drug, with its brand names, codes and classes; raises Refused, saving nothing."""
    with transaction.atomic():
        before = _lexicon_for_change()
        problems = drug_problems(drug, before)
        if problems:
            raise Refused(problems)
        saved = Drug.objects.create(name=drug.name, brands=list(drug.brands), codes=list(drug.codes))
        saved.classes.set(DrugClass.objects.filter(key__in=drug.classes))
        labels = [before.classes[key].label for key in drug.classes]
        what = f"the drug {drug.name} ({_listed('brand name', drug.brands)}; {_listed('code', drug.codes)}; "
        what += f"{_listed('class', labels, plural='classes')})"
        change = _save(before, drug.names, curator, what)
    forget_lexicon()
    logger.info(
        "%s added the drug %s (brands %s, codes %s, classes %s) to the lexicon; %d trials read again",
        curator,
        drug.name,
        list(drug.brands),
        list(drug.codes),
        list(drug.classes),
        change.read_again,
    )
    return change


def add_brand(drug_name: str, brand: str, *, curator: str) -> Change:
    """Add a brand name to a drug of the lexicon; raises Refused, saving nothing."""
    brand = tidy(brand)
    with transaction.atomic():
        before = _lexicon_for_change()
        problems = brand_problems(drug_name, brand, before)
        if problems:
            raise Refused(problems)
        drug = Drug.objects.get(name=drug_name)
        drug.brands = [*drug.brands, brand]
        drug.save(update_fields=["brands"])
        change = _save(before, (brand,), curator, f"the brand name {brand} to {drug_name}")
    forget_lexicon()
    logger.info(
        "%s added the brand name %s to %s in the lexicon; %d trials read again",
        curator,
        brand,
        drug_name,
        change.read_again,
    )
    return change


def _lexicon_for_change() -> Lexicon:
    """The lexicon as the database holds it now, with its revision row locked until the change commits.

    So two curators' additions are made one after the other, each checked against the other's.
    (PostgreSQL waits at the lock; SQLite, in IMMEDIATE transactions, writes one at a time anyway.)
    """
    Revision.objects.get_or_create(name=LEXICON)
    Revision.objects.select_for_update().get(name=LEXICON)
    return lexicon_from_database()


def _save(before: Lexicon, names: Iterable[str], curator: str, what: str) -> Change:
    after = lexicon_from_database()
    try:
        check_lexicon(after)
    except LexiconError as error:  # what the checks above cannot see: the files would be refused
        raise Refused({NON_FIELD: [f"load_lexicon would refuse the lexicon with this: {error}"]}) from None
    Revision.objects.bump(LEXICON)
    read_again, kept = read_trials_again(before, after, tuple(names))
    return Change(curator, what, read_again, kept)


def _listed(noun: str, items: Iterable[str], *, plural: str = "") -> str:
    items = list(items)
    if not items:
        return f"no {plural or noun + 's'}"
    return f"{noun if len(items) == 1 else plural or noun + 's'} {', '.join(items)}"


# --- Reading trials again -----------------------------------------------------------------


def read_trials_again(before: Lexicon, after: Lexicon, names: tuple[str, ...]) -> tuple[int, int]:
    """After new names were added: read again the trials whose text names one; mark the others read with `after`.

    Returns (trials read again, trials marked). Trials read with neither lexicon (an older
    engine) are left for `load_lexicon` to read again, as they were.
    """
    old, new = rules_version(before), rules_version(after)
    candidates = list(Trial.objects.filter(_may_name_any(names)).only("id", "eligibility_text", "rules_version"))
    only_new = Lexicon(drugs={"new": DrugData(names[0], (), names[1:])})
    changed = [
        trial for trial in candidates if _reads_differently(clean(trial.eligibility_text), before, after, only_new)
    ]
    marked = Trial.objects.filter(rules_version=old).update(rules_version=new)
    marked -= sum(1 for trial in changed if trial.rules_version == old)  # read again, below
    for trial in changed:
        # In this process, one by one: a pool of workers would outlive the request in the web server.
        trial.rules, trial.rules_version = rules_for(trial.eligibility_text, after), new
    Trial.objects.bulk_update(changed, ["rules", "rules_version"], batch_size=500)
    return len(changed), marked


def _may_name_any(names: Iterable[str]) -> Q:
    """Trials whose text could name one of the names: it holds the name's longest word.

    A cheap first sift in the database; `_reads_differently` decides. The lexicon reads
    "HER-2" and "HER 2" as "her2", so that word is looked for as "her".
    """
    needles = set()
    for name in names:
        longest = max(_words(name), key=len)
        needles.add("her" if longest == "her2" else longest)
    return reduce(or_, (Q(eligibility_text__icontains=needle) for needle in sorted(needles)))


def _reads_differently(text: str, before: Lexicon, after: Lexicon, only_new: Lexicon) -> bool:
    # A name found alone counts even where a longer name of the whole lexicon covers it, since
    # the engine also reads parts of the text (one criterion, one clause) on their own.
    return bool(only_new.therapy_mentions(text)) or before.therapy_mentions(text) != after.therapy_mentions(text)
