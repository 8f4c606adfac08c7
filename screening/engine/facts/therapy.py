"""Prior therapy: drugs and classes received, and lines of treatment for metastatic disease."""

from __future__ import annotations

from screening.engine.facts import listed, register
from screening.engine.lexicon import Lexicon
from screening.engine.logic import Truth, all_of, any_of, negate
from screening.engine.profile import Profile
from screening.engine.rules import Constraint

SCOPE_WORDS = {"chemotherapy": "chemotherapy", "endocrine": "hormone (endocrine) therapy", "total": "treatment"}


def received(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> list[Truth]:
    """For each drug or class in the constraint: did the patient receive it?"""
    agents = profile.treatment.agents
    known = {agent: lexicon.drug_named(agent) for agent in agents}
    answers: list[Truth] = []
    for key in constraint.value:
        kind, _, name = key.partition(":")
        if kind == "drug":
            drug = lexicon.drugs.get(name)
            if any(found is not None and found.name == name for found in known.values()):
                answers.append(True)
                continue
            coarse = {lexicon.classes[c].profile_key for c in drug.classes if c in lexicon.classes} if drug else set()
            coarse.discard("")
            if coarse and all(profile.treatment.received.get(k) is False for k in coarse):
                answers.append(False)
            else:
                answers.append(None)
            continue
        members = lexicon.descendants(name)
        if any(found is not None and lexicon.classes_of(found) & members for found in known.values()):
            answers.append(True)
            continue
        drug_class = lexicon.classes.get(name)
        coarse_key = drug_class.profile_key if drug_class else ""
        answer = profile.treatment.received.get(coarse_key) if coarse_key else None
        if answer is False:
            answers.append(False)
        elif answer is True and coarse_key and _is_coarse(name, coarse_key, lexicon):
            answers.append(True)
        else:
            answers.append(None)
    return answers


def _is_coarse(class_key: str, profile_key: str, lexicon: Lexicon) -> bool:
    """The class is the whole of the profile's category (so "received: yes" answers it)."""
    drug_class = lexicon.classes[class_key]
    return drug_class.parent is None or lexicon.classes.get(drug_class.parent, drug_class).profile_key != profile_key


def line_bounds(profile: Profile, scope: str) -> tuple[int, int | None]:
    """The fewest and most lines of a kind the answers allow (most is None when open-ended)."""
    counts = profile.treatment.lines_in_metastatic_setting
    received = profile.treatment.received
    chemo, endocrine, total = counts.chemotherapy, counts.endocrine, counts.total
    if chemo is None and received.get("chemotherapy") is False:
        chemo = 0
    if endocrine is None and received.get("endocrine_therapy") is False:
        endocrine = 0
    if scope == "total":
        lower = max([value for value in (total, chemo, endocrine) if value is not None], default=0)
        return lower, total
    value = chemo if scope == "chemotherapy" else endocrine
    known = [bound for bound in (value, total) if bound is not None]
    return (value or 0), (min(known) if known else None)


def compare_lines(profile: Profile, scope: str, op: str, limit: int) -> Truth:
    lower, upper = line_bounds(profile, scope)
    if op == "<=":
        return False if lower > limit else (True if upper is not None and upper <= limit else None)
    if op == ">=":
        # Contradictions first: answers that disagree with each other must not hide one.
        return False if upper is not None and upper < limit else (True if lower >= limit else None)
    if op == "==":
        if lower > limit or (upper is not None and upper < limit):
            return False
        return True if upper is not None and lower == upper == limit else None
    return None


def prior_therapy(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> Truth:
    answers = received(constraint, profile, lexicon)
    result = all_of(answers) if constraint.op == "received_all" else any_of(answers)
    settings = {"metastatic_setting", "early_setting"} & set(constraint.qualifiers)
    if result is True and len(settings) == 1:
        # We know the drug was given, not in which setting; a criterion naming both settings
        # ("in the adjuvant or metastatic setting") does not depend on it.
        result = None
    if constraint.specific and result is True:
        result = None
    return negate(result) if constraint.op == "not_received" else result


def prior_lines(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> Truth:
    return compare_lines(profile, constraint.scope or "total", constraint.op, constraint.value)


def therapy_names(keys: tuple[str, ...], lexicon: Lexicon) -> str:
    names = []
    for key in keys:
        kind, _, name = key.partition(":")
        if kind == "class" and name in lexicon.classes:
            label = lexicon.classes[name].label.replace("(ADC)", "").strip()
            # "Chemotherapy" reads lower case mid-sentence; "CDK4/6 inhibitor" and "PARP inhibitor" keep their capitals.
            names.append(label[0].lower() + label[1:] if label[1:2].islower() else label)
        else:
            drug = lexicon.drugs.get(name)
            names.append(f"{name} ({drug.brands[0]})" if drug and drug.brands else name)
    if len(names) <= 2:
        return " or ".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def describe_prior_therapy(constraint: Constraint, lexicon: Lexicon) -> str:
    op = constraint.op
    joiner = " and " if op == "received_all" else None
    names = therapy_names(constraint.value, lexicon)
    if joiner:
        names = names.replace(" or ", joiner)
    setting = " for metastatic disease" if "metastatic_setting" in constraint.qualifiers else ""
    if op == "not_received":
        return f"never having had {names}"
    verb = "cancer that grew on" if "progressed" in constraint.qualifiers else "earlier treatment with"
    return f"{verb} {names}{setting}"


def describe_prior_lines(constraint: Constraint, lexicon: Lexicon) -> str:
    op, value = constraint.op, constraint.value
    what = SCOPE_WORDS.get(constraint.scope, "treatment")
    if op == "==" and value == 0:
        return f"no earlier {what} for metastatic disease"
    bound = {"<=": "at most", ">=": "at least", "==": "exactly"}[op]
    return f"{bound} {value} earlier line{'s' if value != 1 else ''} of {what} for metastatic disease"


def lines_answer(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> str:
    counts = profile.treatment.lines_in_metastatic_setting
    parts = [
        f"{value} {name}"
        for name, value in (
            ("in all", counts.total),
            ("of chemotherapy", counts.chemotherapy),
            ("of hormone therapy", counts.endocrine),
        )
        if value is not None
    ]
    if parts:
        return "you told us about your lines of treatment since the cancer spread (" + ", ".join(parts) + ")"
    # Without counts, "never had chemotherapy" still settles a count of chemotherapy lines.
    never = [
        TREATMENT_WORDS[kind]
        for kind in ("chemotherapy", "endocrine_therapy")
        if profile.treatment.received.get(kind) is False
    ]
    if never:
        return "you said you have not had " + listed(never, "or")
    return "you were not sure how many lines of treatment you have had since the cancer spread"


TREATMENT_WORDS = {
    "chemotherapy": "chemotherapy",
    "endocrine_therapy": "hormone therapy",
    "cdk4_6_inhibitor": "a CDK4/6 inhibitor",
    "her2_targeted": "HER2-targeted therapy",
    "antibody_drug_conjugate": "an antibody-drug conjugate",
    "pi3k_akt_mtor_inhibitor": "a PI3K, AKT or mTOR inhibitor",
    "parp_inhibitor": "a PARP inhibitor",
    "immunotherapy": "immunotherapy",
    "radiotherapy": "radiotherapy",
    "breast_surgery": "breast surgery",
}


def therapy_answer(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> str:
    """What the patient said about the therapies this criterion names, and only those.

    Medicines she named come first ("you told us you have had palbociclib"); otherwise her
    yes/no/not-sure answer for the kind of treatment the trial names.
    """
    named: list[str] = []
    kinds: list[str] = []
    for key in constraint.value:
        kind, _, name = key.partition(":")
        if kind == "drug":
            drug = lexicon.drugs.get(name)
            wanted: set[str] = set()
            classes = set(drug.classes) if drug else set()
        else:
            drug = None
            wanted = lexicon.descendants(name)
            classes = {name}
        for agent in profile.treatment.agents:
            found = lexicon.drug_named(agent)
            if found and ((drug and found.name == drug.name) or lexicon.classes_of(found) & wanted):
                told = agent if agent == found.name else f"{agent} ({found.name})"
                if told not in named:
                    named.append(told)
        for class_key in classes:
            drug_class = lexicon.classes.get(class_key)
            if drug_class and drug_class.profile_key and drug_class.profile_key not in kinds:
                kinds.append(drug_class.profile_key)
    if named:
        return "you told us you have had " + listed(named)
    received = profile.treatment.received
    had = [TREATMENT_WORDS.get(k, k) for k in kinds if received.get(k) is True]
    had_not = [TREATMENT_WORDS.get(k, k) for k in kinds if received.get(k) is False]
    unsure = [TREATMENT_WORDS.get(k, k) for k in kinds if received.get(k) is None]
    parts = []
    # Medicines she named of the same kind, none of them one the trial names ("capecitabine"
    # against a platinum criterion): she did name medicines, just not these.
    others = [
        agent
        for agent in profile.treatment.agents
        if (found := lexicon.drug_named(agent))
        and any(
            lexicon.classes[key].profile_key in kinds for key in lexicon.classes_of(found) if key in lexicon.classes
        )
    ]
    if had and others:
        parts.append(f"you said you have had {listed(had)} and named {listed(others)}, none of the medicines it names")
    elif had:
        parts.append("you said you have had " + listed(had) + " but did not name the medicines")
    if had_not:
        parts.append("you said you have not had " + listed(had_not, "or"))
    if unsure:
        parts.append("you were not sure whether you have had " + listed(unsure, "or"))
    return "; ".join(parts) if parts else "you did not name any of these medicines"


register("prior_therapy", evaluate=prior_therapy, describe=describe_prior_therapy, answer=therapy_answer)
register("prior_lines", evaluate=prior_lines, describe=describe_prior_lines, answer=lines_answer)
