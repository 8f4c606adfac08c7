"""The patient's questionnaire: its steps, their questions, and how answers become a profile.

Each step is a form over one part of the profile (trialscreen/profile@1). "Not sure" is an
answer on every question and is stored as null, which never rules a trial out. Steps can be
skipped when an earlier answer makes them irrelevant (no spread to the brain: no question
about brain metastases).
"""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django import forms
from django.core.exceptions import ValidationError

from screening.engine import geo
from screening.engine.profile import GENES, SCHEMA

NOT_SURE = "unsure"
YES_NO = [("yes", "Yes"), ("no", "No"), (NOT_SURE, "Not sure")]
POS_NEG = [("positive", "Positive"), ("negative", "Negative"), (NOT_SURE, "Not sure")]
TRAVEL_CHOICES = [
    ("25", "25 miles"),
    ("50", "50 miles"),
    ("100", "100 miles"),
    ("250", "250 miles"),
    ("500", "500 miles"),
    ("any", "Any distance"),
]


def radios(label: str, choices: list[tuple[str, str]], help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.RadioSelect, required=False, help_text=help_text
    )


def yes_no(label: str, help_text: str = "") -> forms.ChoiceField:
    return radios(label, YES_NO, help_text)


def to_bool(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def from_bool(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, NOT_SURE) if value is not None else NOT_SURE


def to_choice(value: str | None) -> str | None:
    return None if value in (None, "", NOT_SURE) else value


def whole_number(label: str, help_text: str, maximum: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=maximum,
        help_text=help_text,
        error_messages={
            "invalid": "Enter a whole number, for example 2, or leave it empty if you are not sure.",
            "min_value": "This cannot be below %(limit_value)s.",
            "max_value": "This cannot be more than %(limit_value)s. Please check the number.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "usa-input usa-input--small"}),
    )


class StepForm(forms.Form):
    """A step's questions. `load` fills it from saved answers; `save` writes its answers back."""

    def load(self, profile: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def save(self, profile: dict[str, Any]) -> None:
        raise NotImplementedError

    def agrees_with(self, profile: dict[str, Any]) -> bool:
        """Whether the cleaned answers fit what the other steps saved; where not, says why beside the field.

        Call it after `is_valid()`. A step whose questions only depend on each other checks them in `clean`.
        """
        return True


class AboutYouForm(StepForm):
    age = forms.IntegerField(
        label="How old are you?",
        required=False,
        min_value=18,
        max_value=120,
        help_text="In years. Leave it empty if you would rather not say.",
        error_messages={
            "invalid": "Enter your age as a whole number of years, for example 54.",
            "min_value": "trialscreen is for adults: enter an age of 18 or more.",
            "max_value": "Enter an age of 120 or less.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "usa-input usa-input--small"}),
    )
    sex = radios(
        "What sex were you assigned at birth?",
        [("female", "Female"), ("male", "Male"), (NOT_SURE, "Prefer not to say")],
        "Some trials are open to women only; breast cancer trials often include men too.",
    )

    def load(self, profile):
        return {"age": profile.get("age"), "sex": profile.get("sex") or NOT_SURE}

    def save(self, profile):
        profile["age"] = self.cleaned_data["age"]
        profile["sex"] = to_choice(self.cleaned_data["sex"])


class DiagnosisForm(StepForm):
    metastatic = yes_no(
        "Has the cancer spread beyond the breast and the nearby lymph nodes?",
        "For example to the bones, liver, lungs or brain. Doctors call this metastatic or stage IV.",
    )
    stage = radios(
        "What stage is the cancer now?",
        [
            ("IV", "Stage IV (metastatic)"),
            ("III", "Stage III"),
            ("II", "Stage II"),
            ("I", "Stage I"),
            ("0", "Stage 0"),
            (NOT_SURE, "Not sure"),
        ],
        "Your oncologist or your latest clinic letter will say.",
    )
    presentation = radios(
        "When was the spread found?",
        [
            ("de_novo", "At my first diagnosis (called de novo)"),
            ("recurrent", "Later, after earlier treatment (called recurrent)"),
            (NOT_SURE, "Not sure"),
        ],
    )
    unresectable_locally_advanced = yes_no(
        "Has your doctor said the cancer in the breast or chest area cannot be removed by surgery?",
        "Doctors call this locally advanced, unresectable disease.",
    )
    histology = radios(
        "What type of breast cancer is it?",
        [
            ("ductal", "Ductal (the most common)"),
            ("lobular", "Lobular"),
            ("other", "Another type"),
            (NOT_SURE, "Not sure"),
        ],
        "This is on your pathology report.",
    )

    def clean(self):
        data = super().clean()
        if data.get("stage") == "IV" and data.get("metastatic") == "no":
            self.add_error(
                "metastatic",
                "Stage IV means the cancer has spread. Choose yes here, or check the stage below.",
            )
        return data

    def load(self, profile):
        cancer = profile.get("cancer", {})
        return {
            "metastatic": from_bool(cancer.get("metastatic")),
            "stage": cancer.get("stage") or NOT_SURE,
            "presentation": cancer.get("presentation") or NOT_SURE,
            "unresectable_locally_advanced": from_bool(cancer.get("unresectable_locally_advanced")),
            "histology": cancer.get("histology") or NOT_SURE,
        }

    def save(self, profile):
        cancer = profile.setdefault("cancer", {})
        data = self.cleaned_data
        cancer["metastatic"] = to_bool(data["metastatic"])
        cancer["stage"] = to_choice(data["stage"])
        cancer["presentation"] = to_choice(data["presentation"])
        cancer["unresectable_locally_advanced"] = to_bool(data["unresectable_locally_advanced"])
        cancer["histology"] = to_choice(data["histology"])


SITE_CHOICES = [
    ("bone", "Bones"),
    ("liver", "Liver"),
    ("lung", "Lungs"),
    ("brain", "Brain"),
    ("lymph_nodes", "Lymph nodes further away"),
    ("skin_chest_wall", "Skin or chest wall"),
    ("pleura", "Lining of the lungs (pleura)"),
    ("peritoneum", "Lining of the belly (peritoneum)"),
    ("other", "Somewhere else"),
]


class SpreadForm(StepForm):
    sites = forms.MultipleChoiceField(
        label="Where has the cancer spread?",
        choices=SITE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Tick all that apply. Your latest scan report lists them.",
    )
    sites_unsure = forms.BooleanField(label="Not sure where it has spread", required=False)
    measurable_disease = yes_no(
        "Do your scans show a tumour that can be measured?",
        "Many trials need at least one spot on a CT or MRI scan at least 1 cm across (called measurable "
        "disease, RECIST 1.1). Spread only to the bones often cannot be measured.",
    )

    def clean(self):
        data = super().clean()
        if data.get("sites") and data.get("sites_unsure"):
            self.add_error("sites_unsure", "Choose the places it has spread, or 'Not sure', not both.")
        return data

    def load(self, profile):
        cancer = profile.get("cancer", {})
        sites = cancer.get("sites")
        return {
            "sites": sites or [],
            "sites_unsure": "sites" in cancer and sites is None,
            "measurable_disease": from_bool(cancer.get("measurable_disease")),
        }

    def save(self, profile):
        cancer = profile.setdefault("cancer", {})
        data = self.cleaned_data
        cancer["sites"] = None if data["sites_unsure"] or not data["sites"] else list(data["sites"])
        cancer["measurable_disease"] = to_bool(data["measurable_disease"])
        if cancer["sites"] is not None and "brain" not in cancer["sites"]:
            cancer["brain_metastases"] = "none"
        elif cancer.get("brain_metastases") == "none":
            cancer["brain_metastases"] = None


class BrainForm(StepForm):
    brain_metastases = radios(
        "What is the state of the cancer in the brain?",
        [
            ("treated_stable", "It has been treated (surgery or radiation) and has stayed stable since"),
            ("active", "It is new, growing, causing symptoms, or not yet treated"),
            ("leptomeningeal", "It is in the lining of the brain or spinal cord (leptomeningeal disease)"),
            ("none", "It has not spread to my brain"),
            (NOT_SURE, "Not sure"),
        ],
        "Trials often take people whose brain metastases are treated and stable, but not active ones.",
    )

    def load(self, profile):
        return {"brain_metastases": profile.get("cancer", {}).get("brain_metastases") or NOT_SURE}

    def save(self, profile):
        profile.setdefault("cancer", {})["brain_metastases"] = to_choice(self.cleaned_data["brain_metastases"])


HER2_CHOICES = [
    ("positive", "HER2-positive (IHC 3+, or IHC 2+ with a positive ISH/FISH test)"),
    ("low", "HER2-low (IHC 1+, or IHC 2+ with a negative ISH/FISH test)"),
    ("ultralow", "HER2-ultralow (IHC 0 with faint staining in a few cells)"),
    ("zero", "HER2-zero (IHC 0, no staining)"),
    ("negative", "HER2-negative, but I do not know the IHC score"),
    (NOT_SURE, "Not sure"),
]
GENE_CHOICES = [
    ("altered", "Changed (mutation found)"),
    ("not_altered", "Not changed"),
    (NOT_SURE, "Not tested or not sure"),
]


class BiologyForm(StepForm):
    er = radios(
        "Is the cancer estrogen-receptor (ER) positive?", POS_NEG, "Written as ER+ or ER- on your pathology report."
    )
    pr = radios("Is it progesterone-receptor (PR) positive?", POS_NEG, "Written as PR+ or PR- (sometimes PgR).")
    her2 = radios(
        "What is the HER2 result?",
        HER2_CHOICES,
        "Your pathology report gives an IHC score (0, 1+, 2+ or 3+) and sometimes an ISH or FISH result. "
        "New drugs are tested for HER2-low and ultralow cancers, so the exact score matters.",
    )
    pd_l1 = radios(
        "Is the cancer PD-L1 positive?", POS_NEG, "Usually tested for triple-negative cancer; on a pathology report."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for gene in GENES:
            where = (
                "a blood or saliva test for inherited genes"
                if gene in ("BRCA1", "BRCA2", "PALB2")
                else "a tumour or blood (liquid biopsy) genomic report"
            )
            self.fields[f"gene_{gene}"] = radios(f"{gene}", GENE_CHOICES, f"Found on {where}.")

    def load(self, profile):
        biomarkers = profile.get("biomarkers", {})
        genes = biomarkers.get("genes") or {}
        values = {name: biomarkers.get(name) or NOT_SURE for name in ("er", "pr", "her2", "pd_l1")}
        values.update({f"gene_{gene}": genes.get(gene) or NOT_SURE for gene in GENES})
        return values

    def save(self, profile):
        biomarkers = profile.setdefault("biomarkers", {})
        data = self.cleaned_data
        for name in ("er", "pr", "her2", "pd_l1"):
            biomarkers[name] = to_choice(data[name])
        biomarkers["genes"] = {gene: to_choice(data[f"gene_{gene}"]) for gene in GENES}


TREATMENT_QUESTIONS = [
    ("chemotherapy", "Chemotherapy", "for example paclitaxel, capecitabine, doxorubicin"),
    ("endocrine_therapy", "Hormone therapy", "for example letrozole, anastrozole, tamoxifen, fulvestrant"),
    ("cdk4_6_inhibitor", "A CDK4/6 inhibitor", "palbociclib (Ibrance), ribociclib (Kisqali), abemaciclib (Verzenio)"),
    ("her2_targeted", "HER2-targeted therapy", "for example trastuzumab (Herceptin), pertuzumab, tucatinib"),
    ("antibody_drug_conjugate", "An antibody-drug conjugate", "for example Enhertu, Trodelvy, Kadcyla"),
    ("pi3k_akt_mtor_inhibitor", "A PI3K, AKT or mTOR inhibitor", "alpelisib, capivasertib, everolimus"),
    ("parp_inhibitor", "A PARP inhibitor", "olaparib (Lynparza), talazoparib (Talzenna)"),
    ("immunotherapy", "Immunotherapy", "for example pembrolizumab (Keytruda)"),
    ("radiotherapy", "Radiotherapy", ""),
    ("breast_surgery", "Breast surgery", ""),
]


class AgentGroup(NamedTuple):
    label: str
    choices: list[tuple[str, str, bool]]
    # A group holding a ticked medicine opens on a return visit, so she sees what she chose.
    chosen: int


class TreatmentsForm(StepForm):
    agents = forms.MultipleChoiceField(
        label="Which medicines have you had for breast cancer?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick the ones you know. Brand names are shown in brackets. Leave them all unticked if you are not sure.",
    )
    other_agents = forms.CharField(
        label="Other medicines, if any",
        required=False,
        max_length=300,
        help_text="Separate them with commas.",
        widget=forms.TextInput(attrs={"class": "usa-input"}),
    )
    lines_total = whole_number(
        "Since the cancer spread, how many different treatments (lines) have you had?",
        "A line is one treatment plan, kept until it stopped working or you stopped it. Leave it empty if you are not sure.",
        30,
    )
    lines_chemotherapy = whole_number("How many of those were chemotherapy?", "Leave empty if not sure.", 30)
    progressed_on_last_therapy = yes_no("Did the cancer grow while you were on your most recent treatment?")

    def __init__(self, *args, agent_groups: list[tuple[str, list[tuple[str, str]]]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.agent_groups = agent_groups
        self.fields["agents"].choices = [choice for _, choices in agent_groups for choice in choices]
        for key, label, examples in TREATMENT_QUESTIONS:
            self.fields[f"received_{key}"] = yes_no(label, examples)
        # The kinds of treatment first: easier to answer than naming each medicine.
        self.order_fields([f"received_{key}" for key, _, _ in TREATMENT_QUESTIONS])

    def grouped_agents(self) -> list[AgentGroup]:
        chosen = set(self["agents"].value() or [])
        return [
            AgentGroup(
                label,
                [(value, text, value in chosen) for value, text in choices],
                sum(1 for value, _ in choices if value in chosen),
            )
            for label, choices in self.agent_groups
        ]

    def chosen_agent_labels(self) -> list[str]:
        """The ticked medicines as the page names them, each once, to show above the closed groups."""
        chosen = set(self["agents"].value() or [])
        labels = {value: text for _, choices in self.agent_groups for value, text in choices if value in chosen}
        return list(labels.values())

    def clean_other_agents(self):
        return [name.strip().lower() for name in self.cleaned_data["other_agents"].split(",") if name.strip()][:20]

    def clean(self):
        data = super().clean()
        total, chemo = data.get("lines_total"), data.get("lines_chemotherapy")
        if total is not None and chemo is not None and chemo > total:
            self.add_error(
                "lines_chemotherapy", "This is more than the number of treatments you gave above. Please check both."
            )
        if chemo and data.get("received_chemotherapy") == "no":
            self.add_error(
                "lines_chemotherapy", "You said you have not had chemotherapy. Please check one of the two answers."
            )
        return data

    def load(self, profile):
        treatment = profile.get("treatment", {})
        received = treatment.get("received", {})
        lines = treatment.get("lines_in_metastatic_setting", {})
        known = {value for _, choices in self.agent_groups for value, _ in choices}
        agents = treatment.get("agents", [])
        values = {
            "agents": [agent for agent in agents if agent in known],
            "other_agents": ", ".join(agent for agent in agents if agent not in known),
            "lines_total": lines.get("total"),
            "lines_chemotherapy": lines.get("chemotherapy"),
            "progressed_on_last_therapy": from_bool(treatment.get("progressed_on_last_therapy")),
        }
        values.update({f"received_{key}": from_bool(received.get(key)) for key, _, _ in TREATMENT_QUESTIONS})
        return values

    def save(self, profile):
        treatment = profile.setdefault("treatment", {})
        data = self.cleaned_data
        treatment["received"] = {key: to_bool(data[f"received_{key}"]) for key, _, _ in TREATMENT_QUESTIONS}
        treatment["agents"] = list(dict.fromkeys([*data["agents"], *data["other_agents"]]))
        lines = treatment.setdefault("lines_in_metastatic_setting", {})
        lines["total"] = data["lines_total"]
        lines["chemotherapy"] = data["lines_chemotherapy"]
        treatment["progressed_on_last_therapy"] = to_bool(data["progressed_on_last_therapy"])


class HormoneTherapyForm(StepForm):
    lines_endocrine = whole_number(
        "Since the cancer spread, how many hormone treatments (lines) have you had?",
        "Count each hormone medicine you took until it stopped working. A pair taken together, such as "
        "letrozole with palbociclib, counts as one. Leave it empty if you are not sure.",
        30,
    )

    def agrees_with(self, profile):
        problem = endocrine_lines_problem(self.cleaned_data["lines_endocrine"], profile)
        if problem:
            self.add_error("lines_endocrine", problem)
        return not problem

    def load(self, profile):
        return {"lines_endocrine": profile.get("treatment", {}).get("lines_in_metastatic_setting", {}).get("endocrine")}

    def save(self, profile):
        lines = profile.setdefault("treatment", {}).setdefault("lines_in_metastatic_setting", {})
        lines["endocrine"] = self.cleaned_data["lines_endocrine"]


def endocrine_lines_problem(endocrine: int | None, profile: dict[str, Any]) -> str:
    """Why this count of hormone lines cannot go with her saved treatments, or "" when it can.

    The hormone lines are asked a step after the total and the kinds of treatment, so the two
    steps can disagree; a profile where they do is refused by the contract (see engine/profile.py).
    """
    treatment = profile.get("treatment") or {}
    total = (treatment.get("lines_in_metastatic_setting") or {}).get("total")
    if endocrine and (treatment.get("received") or {}).get("endocrine_therapy") is False:
        return (
            'On the "Treatments so far" step you said you have not had hormone therapy. '
            "Please check one of the two answers, or leave this empty if you are not sure."
        )
    if endocrine is not None and total is not None and endocrine > total:
        treatments = "1 treatment" if total == 1 else f"{total} treatments"
        return (
            f'This is more than the {treatments} in all that you gave on the "Treatments so far" step. '
            "Please check both, or leave this empty if you are not sure."
        )
    return ""


def set_back_contradicted(profile: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Set back to "Not sure" a later answer that an earlier step's new answers contradict.

    Her newest answer wins, so changing the treatments never leaves a profile the contract
    refuses (which would cost her the shortlist). The step asking the older answer comes next,
    and is shown holding what she had entered with the reason beside it, so nothing is lost
    without a word. Returns what was set back, by step, as that step's form posts it.
    """
    lines = (profile.get("treatment") or {}).get("lines_in_metastatic_setting") or {}
    endocrine = lines.get("endocrine")
    if endocrine_lines_problem(endocrine, profile):
        lines["endocrine"] = None
        return {"hormone-therapy": {"lines_endocrine": str(endocrine)}}
    return {}


ECOG_CHOICES = [
    ("0", "I am fully active and can do everything I did before the illness"),
    (
        "1",
        "I cannot do heavy physical work, but I am up and about and can do light work such as housework or office work",
    ),
    ("2", "I am up and about more than half the day and can look after myself, but I cannot work"),
    ("3", "I can only partly look after myself and spend more than half the day in bed or a chair"),
    ("4", "I cannot look after myself at all and spend the whole day in bed or a chair"),
    (NOT_SURE, "Not sure"),
]
HEALTH_QUESTIONS = [
    ("pregnant_or_breastfeeding", "Are you pregnant or breastfeeding?", ""),
    (
        "other_cancer_last_5_years",
        "Have you had another kind of cancer in the last 5 years?",
        "Not counting this breast cancer or skin cancers that were simply removed.",
    ),
    (
        "heart_condition",
        "Do you have a heart condition?",
        "For example heart failure, a heart attack, or an irregular heartbeat needing medicine.",
    ),
    (
        "lung_condition",
        "Have you ever had lung inflammation (pneumonitis) or interstitial lung disease?",
        "Including after radiation or after a drug such as Enhertu.",
    ),
    ("hepatitis_b_or_c", "Have you had hepatitis B or C?", ""),
    ("hiv", "Do you have HIV?", ""),
    (
        "autoimmune_disease",
        "Do you have an autoimmune disease?",
        "For example lupus, rheumatoid arthritis, Crohn's disease or multiple sclerosis.",
    ),
    (
        "neuropathy",
        "Do you have numbness, tingling or pain in your hands or feet (neuropathy)?",
        "Often left over from chemotherapy.",
    ),
    ("in_hospice", "Are you receiving hospice care?", ""),
]


class HealthForm(StepForm):
    ecog = radios(
        "Which sentence describes you best on most days?",
        ECOG_CHOICES,
        "Trials use this to judge whether a treatment is safe for you (the ECOG scale).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label, help_text in HEALTH_QUESTIONS:
            self.fields[key] = yes_no(label, help_text)

    def load(self, profile):
        health = profile.get("health", {})
        values = {"ecog": str(health["ecog"]) if health.get("ecog") is not None else NOT_SURE}
        values.update({key: from_bool(health.get(key)) for key, _, _ in HEALTH_QUESTIONS})
        return values

    def save(self, profile):
        health = profile.setdefault("health", {})
        ecog = to_choice(self.cleaned_data["ecog"])
        health["ecog"] = int(ecog) if ecog is not None else None
        for key, _, _ in HEALTH_QUESTIONS:
            health[key] = to_bool(self.cleaned_data[key])


class LocationForm(StepForm):
    postal_code = forms.CharField(
        label="Your US ZIP code",
        required=False,
        max_length=10,
        help_text="Five digits, used only to find the nearest trial sites. Leave empty to skip.",
        widget=forms.TextInput(
            attrs={"class": "usa-input usa-input--small", "inputmode": "numeric", "autocomplete": "postal-code"}
        ),
    )
    max_travel_miles = radios("How far could you travel for a trial?", TRAVEL_CHOICES)

    def clean_postal_code(self):
        # Digits typed on an Arabic or a Japanese/Chinese (full-width) keyboard mean the same ZIP
        # code, so they are read as ASCII digits. Other digit-like signs (superscripts, circled
        # numbers) are not digits of any script and are refused below like any unknown code.
        code = "".join(
            str(unicodedata.decimal(char)) if char.isdecimal() else char
            for char in self.cleaned_data["postal_code"].strip()
        )
        if code and geo.zip_point(code) is None:
            raise ValidationError("We could not find that ZIP code. Check the five digits, or leave it empty.")
        return code[:5]

    def load(self, profile):
        travel = profile.get("max_travel_miles")
        return {
            "postal_code": (profile.get("location") or {}).get("postal_code", ""),
            "max_travel_miles": str(travel) if travel else "any",
        }

    def save(self, profile):
        code = self.cleaned_data["postal_code"]
        profile["location"] = {"postal_code": code, "country": "US"} if code else None
        travel = self.cleaned_data["max_travel_miles"]
        profile["max_travel_miles"] = int(travel) if travel and travel != "any" else None


def _hormone_receptor_not_negative(profile: dict[str, Any]) -> bool:
    biomarkers = profile.get("biomarkers", {})
    return not (biomarkers.get("er") == "negative" and biomarkers.get("pr") == "negative")


def _brain_may_be_involved(profile: dict[str, Any]) -> bool:
    cancer = profile.get("cancer", {})
    return cancer.get("sites") is None or "brain" in cancer.get("sites", [])


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form: type[StepForm]
    applies: Callable[[dict[str, Any]], bool] = lambda profile: True
    intro: str = ""


STEPS = [
    Step("about-you", "About you", AboutYouForm, intro="Two questions about you. We never ask for your name."),
    Step("diagnosis", "Your diagnosis", DiagnosisForm, intro="What your doctors have told you about the cancer."),
    Step("spread", "Where it has spread", SpreadForm),
    Step("brain", "Spread to the brain", BrainForm, _brain_may_be_involved),
    Step(
        "biology",
        "Tumour biology",
        BiologyForm,
        intro="These results are on your pathology report or genomic (biomarker) report. Ask your care team for a copy if you do not have one.",
    ),
    Step("treatments", "Treatments so far", TreatmentsForm),
    Step(
        "hormone-therapy",
        "Hormone therapy",
        HormoneTherapyForm,
        _hormone_receptor_not_negative,
        intro="Because the cancer may be hormone-receptor positive, trials often ask about hormone therapy.",
    ),
    Step("health", "Your health today", HealthForm),
    Step("location", "Location and travel", LocationForm, intro="To show the nearest place taking part in each trial."),
]
STEP_BY_SLUG = {step.slug: step for step in STEPS}


def steps_for(profile: dict[str, Any]) -> list[Step]:
    return [step for step in STEPS if step.applies(profile)]


def next_step(profile: dict[str, Any], current: Step) -> Step | None:
    remaining = STEPS[STEPS.index(current) + 1 :]
    return next((step for step in remaining if step.applies(profile)), None)


def previous_step(profile: dict[str, Any], current: Step) -> Step | None:
    earlier = STEPS[: STEPS.index(current)]
    return next((step for step in reversed(earlier) if step.applies(profile)), None)


def as_profile(answers: dict[str, Any]) -> dict[str, Any]:
    """The saved answers as a contract profile: skipped steps' answers are left out, not guessed."""
    profile = {"schema": SCHEMA, **{key: value for key, value in copy.deepcopy(answers).items() if value is not None}}
    if not _hormone_receptor_not_negative(answers):
        lines = profile.get("treatment", {}).get("lines_in_metastatic_setting")
        if lines:
            lines.pop("endocrine", None)
    return profile
