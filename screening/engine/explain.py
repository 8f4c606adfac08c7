"""Plain-language reasons and questions for the oncologist, built from outcomes."""

from __future__ import annotations

from screening.engine.lexicon import Lexicon
from screening.engine.match import MET, NOT_ASSESSED, NOT_MET, STUDY_TEAM_CHECKS, UNKNOWN, Outcome
from screening.engine.profile import Profile
from screening.engine.rules import Constraint

ECOG_WORDS = {
    0: "fully active, no limits",
    1: "up and about and able to do light work",
    2: "up and about more than half the day, able to look after yourself but not work",
    3: "in bed or a chair more than half the day",
    4: "in bed or a chair all the time",
}
HER2_WORDS = {
    ("positive",): "HER2-positive cancer (IHC 3+ or ISH amplified)",
    ("low",): "HER2-low cancer (IHC 1+, or 2+ without amplification)",
    ("ultralow",): "HER2-ultralow cancer",
    ("zero",): "HER2-0 cancer (IHC 0)",
    ("low", "ultralow"): "HER2-low or HER2-ultralow cancer",
    ("low", "ultralow", "zero", "negative"): "HER2-negative cancer (HER2-low and HER2-0 included)",
}
BRAIN_WORDS = {
    ("active",): "active brain metastases (untreated, growing or causing symptoms)",
    ("active", "treated_stable"): "brain metastases, treated or not",
    ("leptomeningeal",): "leptomeningeal disease (cancer in the fluid around the brain and spine)",
    ("active", "leptomeningeal"): "active brain metastases or leptomeningeal disease",
    ("active", "leptomeningeal", "treated_stable"): "any brain metastases or leptomeningeal disease",
    ("treated_stable",): "brain metastases that have been treated and are stable",
}
SCOPE_WORDS = {"chemotherapy": "chemotherapy", "endocrine": "hormone (endocrine) therapy", "total": "treatment"}
RECEPTOR_WORDS = {"hr": "hormone-receptor", "er": "estrogen-receptor (ER)", "pr": "progesterone-receptor (PR)"}


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


def describe(constraint: Constraint, lexicon: Lexicon) -> str:
    """The fact a constraint describes, as a phrase: "HER2-low cancer"."""
    concept, op, value = constraint.concept, constraint.op, constraint.value
    if concept == "age":
        return f"age {'at least' if op == '>=' else 'at most'} {value}"
    if concept == "sex":
        return " or ".join(value) + " patients"
    if concept == "ecog":
        limits = dict(value)
        parts = []
        if "ecog" in limits:
            grade = limits["ecog"]
            parts.append(f"ECOG {'0 to ' + str(grade) if grade else '0'} ({ECOG_WORDS.get(grade, '')})")
        if "karnofsky" in limits:
            parts.append(f"Karnofsky {limits['karnofsky']} or more")
        text = " or ".join(parts)
        return f"an activity level of {text}" if op == "within" else f"an activity level worse than {text}"
    if concept == "pregnancy":
        return "being pregnant or breastfeeding" if value else "not being pregnant or breastfeeding"
    if concept == "brain_metastases":
        return BRAIN_WORDS.get(tuple(sorted(value)), "brain metastases")
    if concept == "other_malignancy":
        if value == 0:
            return "another cancer that is active now"
        if value is None:
            return "another cancer at any time" + (" (some kinds are allowed)" if constraint.specific else "")
        return f"another cancer in the last {value} years" + (
            " (some kinds are allowed)" if constraint.specific else ""
        )
    if concept in (
        "heart_condition",
        "lung_condition",
        "hepatitis",
        "hiv",
        "autoimmune_disease",
        "neuropathy",
        "hospice",
    ):
        words = {
            "heart_condition": "a heart condition",
            "lung_condition": "lung inflammation or lung disease (such as ILD or pneumonitis)",
            "hepatitis": "hepatitis B or C",
            "hiv": "HIV",
            "autoimmune_disease": "an autoimmune disease",
            "neuropathy": "nerve damage (neuropathy)",
            "hospice": "being in hospice care",
        }[concept]
        return words + (" of the kind the trial describes" if constraint.specific else "")
    if concept == "metastatic_disease":
        if "locally_advanced" in value:
            return "advanced breast cancer (metastatic, or locally advanced and not removable by surgery)"
        return "metastatic (stage IV) breast cancer"
    if concept == "early_stage":
        if op == "in":
            return "stage " + " or ".join(value) + " cancer that has not spread to distant organs"
        return "early-stage cancer that has not spread to distant organs"
    if concept == "measurable_disease":
        return "measurable disease on scans (RECIST 1.1)"
    if concept == "bone_only_disease":
        return "cancer that has spread only to the bones"
    if concept == "presentation":
        return "cancer that had already spread when first diagnosed (de novo)"
    if concept == "prior_therapy":
        joiner = " and " if op == "received_all" else None
        names = therapy_names(value, lexicon)
        if joiner:
            names = names.replace(" or ", joiner)
        setting = " for metastatic disease" if "metastatic_setting" in constraint.qualifiers else ""
        if op == "not_received":
            return f"never having had {names}"
        verb = "cancer that grew on" if "progressed" in constraint.qualifiers else "earlier treatment with"
        return f"{verb} {names}{setting}"
    if concept == "prior_lines":
        what = SCOPE_WORDS.get(constraint.scope, "treatment")
        if op == "==" and value == 0:
            return f"no earlier {what} for metastatic disease"
        bound = {"<=": "at most", ">=": "at least", "==": "exactly"}[op]
        return f"{bound} {value} earlier line{'s' if value != 1 else ''} of {what} for metastatic disease"
    if concept == "hormone_receptor":
        return f"{RECEPTOR_WORDS.get(constraint.scope, 'hormone-receptor')}-{value} cancer"
    if concept == "triple_negative":
        return "triple-negative breast cancer"
    if concept == "her2":
        return HER2_WORDS.get(tuple(value), " or ".join(f"HER2-{level}" for level in value) + " cancer")
    if concept == "gene_alteration":
        genes = constraint.scope.replace(",", " or ")
        article = "an" if genes[:1] in "AEIOU" else "a"
        return f"{article} {genes} mutation" if value == "altered" else f"no {genes} mutation"
    if concept == "pd_l1":
        return f"PD-L1-{value} cancer"
    return concept.replace("_", " ")


def your_answer(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> str:
    """What the patient told us about the constraint's topic, or that they were not sure."""
    concept = constraint.concept
    health, cancer, biomarkers = profile.health, profile.cancer, profile.biomarkers
    if concept == "age":
        return f"you are {profile.age}" if profile.age is not None else "we do not know your age"
    if concept == "ecog":
        if health.ecog is not None:
            return f"you described yourself as {ECOG_WORDS[health.ecog]} (ECOG {health.ecog})"
        if health.karnofsky is not None:
            return f"your Karnofsky score is {health.karnofsky}"
        return "you were not sure how to describe your activity level"
    if concept == "her2":
        return (
            f"you said your cancer is HER2-{biomarkers.her2}"
            if biomarkers.her2
            else "you were not sure of your HER2 status"
        )
    if concept == "hormone_receptor":
        if biomarkers.er or biomarkers.pr:
            return f"you said ER is {biomarkers.er or 'not known'} and PR is {biomarkers.pr or 'not known'}"
        return "you were not sure of your hormone-receptor (ER/PR) status"
    if concept == "brain_metastases":
        words = {
            "none": "the cancer has not spread to your brain",
            "treated_stable": "your brain metastases are treated and stable",
            "active": "you have active brain metastases",
            "leptomeningeal": "you have leptomeningeal disease",
        }
        return (
            f"you said {words[cancer.brain_metastases]}"
            if cancer.brain_metastases
            else "you were not sure whether the cancer has spread to the brain"
        )
    if concept in ("metastatic_disease", "early_stage"):
        metastatic = cancer.is_metastatic
        if metastatic is None and cancer.unresectable_locally_advanced:
            return "you said surgery cannot remove the cancer"
        if metastatic is None and cancer.stage:
            return f"you said the cancer is stage {cancer.stage}"
        if metastatic is None:
            return "you were not sure whether the cancer has spread"
        return (
            "you said the cancer has spread (metastatic)"
            if metastatic
            else "you said the cancer has not spread to distant organs"
        )
    if concept == "triple_negative":
        if biomarkers.er or biomarkers.pr or biomarkers.her2:
            return (
                f"you said ER is {biomarkers.er or 'not known'}, PR is {biomarkers.pr or 'not known'} "
                f"and HER2 is {biomarkers.her2 or 'not known'}"
            )
        return "you were not sure of your ER, PR and HER2 results"
    if concept == "prior_therapy":
        return _therapy_answer(constraint, profile, lexicon)
    if concept == "prior_lines":
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
            return "you said you have not had " + _listed(never, "or")
        return "you were not sure how many lines of treatment you have had since the cancer spread"
    if concept == "gene_alteration":
        known = [f"{gene} {status.replace('_', ' ')}" for gene, status in biomarkers.genes.items() if status]
        return "your gene results: " + ", ".join(known) if known else "you were not sure of your gene test results"
    if concept == "pregnancy":
        answer = health.pregnant_or_breastfeeding
        return (
            "you were not sure whether you are pregnant or breastfeeding"
            if answer is None
            else (
                "you said you are pregnant or breastfeeding"
                if answer
                else "you said you are not pregnant or breastfeeding"
            )
        )
    if concept == "pd_l1":
        return (
            f"you said your PD-L1 result is {biomarkers.pd_l1}"
            if biomarkers.pd_l1
            else "you were not sure of your PD-L1 result"
        )
    flags = {
        "heart_condition": ("heart_condition", "a heart condition"),
        "lung_condition": ("lung_condition", "a lung condition"),
        "hepatitis": ("hepatitis_b_or_c", "hepatitis B or C"),
        "hiv": ("hiv", "HIV"),
        "autoimmune_disease": ("autoimmune_disease", "an autoimmune disease"),
        "neuropathy": ("neuropathy", "nerve damage (neuropathy)"),
        "hospice": ("in_hospice", "hospice care"),
        "other_malignancy": ("other_cancer_last_5_years", "another cancer in the last 5 years"),
    }
    if concept in flags:
        field_name, words = flags[concept]
        answer = getattr(health, field_name)
        if answer is None:
            return f"you were not sure about {words}"
        return f"you said you have {words}" if answer else f"you said you do not have {words}"
    if concept == "measurable_disease":
        answer = cancer.measurable_disease
        return (
            "you were not sure whether your scans show measurable disease"
            if answer is None
            else (
                "you said your scans show measurable disease"
                if answer
                else "you said your scans do not show measurable disease"
            )
        )
    return "from your answers"


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


def _therapy_answer(constraint: Constraint, profile: Profile, lexicon: Lexicon) -> str:
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
        return "you told us you have had " + _listed(named)
    received = profile.treatment.received
    had = [TREATMENT_WORDS.get(k, k) for k in kinds if received.get(k) is True]
    had_not = [TREATMENT_WORDS.get(k, k) for k in kinds if received.get(k) is False]
    unsure = [TREATMENT_WORDS.get(k, k) for k in kinds if received.get(k) is None]
    parts = []
    if had:
        parts.append("you said you have had " + _listed(had) + " but did not name the medicines")
    if had_not:
        parts.append("you said you have not had " + _listed(had_not, "or"))
    if unsure:
        parts.append("you were not sure whether you have had " + _listed(unsure, "or"))
    return "; ".join(parts) if parts else "you did not name any of these medicines"


def _listed(items: list[str], joiner: str = "and") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {joiner} " + items[-1]


def reason(outcome: Outcome, lexicon: Lexicon, profile: Profile) -> str:
    rule = outcome.rule
    if outcome.outcome == NOT_ASSESSED:
        return STUDY_TEAM_CHECKS
    constraint = _deciding(outcome)
    fact = describe(constraint, lexicon)
    verb = "rules out" if rule.excludes else "needs"
    cohort = f" (for {rule.cohort} only)" if rule.cohort else ""
    answer = your_answer(constraint, profile, lexicon)
    if outcome.outcome == MET:
        return f"This trial {verb} {fact}{cohort}; {answer}, which fits."
    if outcome.outcome == NOT_MET:
        return f"This trial {verb} {fact}{cohort}, and {answer}."
    if outcome.contradicted:
        return (
            f"This trial may {verb.replace('rules', 'rule').replace('needs', 'need')} {fact}{cohort}, and {answer}; "
            f"but its wording leaves room ({', '.join(rule.doubts)}), so the study team should say whether it applies."
        )
    return f"This trial {verb} {fact}{cohort}; {answer}, so this is still to check."


def _deciding(outcome: Outcome) -> Constraint:
    """The constraint that settled the outcome (the first unknown when unknown).

    When one of several alternatives is met, the reason names that one, not one the patient lacks.
    """
    for constraint, value in outcome.facts:
        if outcome.outcome == UNKNOWN and value is None:
            return constraint
        if outcome.outcome == MET and value is (not outcome.rule.excludes):
            return constraint
        if outcome.outcome == NOT_MET and value is (bool(outcome.rule.excludes)):
            return constraint
    return outcome.facts[0][0] if outcome.facts else outcome.rule.constraints[0]


def question(outcome: Outcome, lexicon: Lexicon) -> str | None:
    if outcome.outcome != UNKNOWN:
        return None
    if outcome.contradicted:
        # Her answer is known; what is uncertain is the trial's meaning, so quote its words.
        words = outcome.rule.text if len(outcome.rule.text) <= 200 else outcome.rule.text[:197].rstrip() + "…"
        return f"Does this rule me out? The trial says: “{words}”"
    constraint = _deciding(outcome)
    concept = lexicon.concepts.get(_concept_key(constraint))
    ask = concept.question if concept else "Does this criterion apply to me?"
    verb = "excludes" if outcome.rule.excludes else "needs"
    return f"{ask} (This trial {verb} {describe(constraint, lexicon)}.)"


def _concept_key(constraint: Constraint) -> str:
    return (
        "leptomeningeal"
        if constraint.concept == "brain_metastases" and constraint.value == ("leptomeningeal",)
        else constraint.concept
    )
