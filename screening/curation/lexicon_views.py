"""The lexicon in the curators' workspace: find a drug, add a drug, add a brand name.

Each form is a plain post that redirects back with a message (and the page works without
script); with htmx the form is swapped in place, and the drug list and the other form with
it. The checks and the saving are `screening.curation.lexicon`'s.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from screening.curation import lexicon as workflow
from screening.engine.lexicon import Drug as DrugData
from screening.engine.lexicon import Lexicon
from screening.knowledge import classes_in_tree_order, current_lexicon
from screening.staff.roles import curator_required

PAGE = "curation/lexicon.html"
ADD_DRUG, ADD_BRAND = "add-drug", "add-brand"  # each form's section on the page


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Generic name, brand name, development code or class",
        required=False,
        max_length=100,
        help_text="For example “letrozole”, “Femara”, “LEE011” or “aromatase”. Leave it empty to list every drug.",
    )


class AddDrugForm(forms.Form):
    name = forms.CharField(
        label="Generic name",
        max_length=workflow.NAME_MAX,
        help_text="The international nonproprietary name, for example “elacestrant”. It is kept in lower case.",
        error_messages={"required": "Enter the drug's generic name."},
    )
    brands = forms.CharField(
        label="Brand names (optional)",
        required=False,
        max_length=1000,
        help_text="Separate them with commas, for example “Orserdu, Orserdu XR”.",
    )
    codes = forms.CharField(
        label="Development codes (optional)",
        required=False,
        max_length=1000,
        help_text="Separate them with commas, for example “RAD1901, RAD-1901”.",
    )
    classes = forms.MultipleChoiceField(
        label="Drug classes",
        help_text="Tick the most specific class or classes: a drug in a class is in every class above it too.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Tick at least one drug class.",
            "invalid_choice": "%(value)s is not a drug class of the lexicon.",
        },
    )

    def __init__(self, *args: Any, lexicon: Lexicon, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["classes"].choices = [(key, lexicon.classes[key].label) for key in classes_in_tree_order(lexicon)]

    def new_drug(self) -> workflow.NewDrug:
        """The drug as typed; a field Django refused is left empty (its own message says why)."""
        data = self.cleaned_data
        return workflow.NewDrug.typed(
            data.get("name", ""), data.get("brands", ""), data.get("codes", ""), data.get("classes", ())
        )


class AddBrandForm(forms.Form):
    drug = forms.ChoiceField(
        label="Drug", error_messages={"required": "Choose the drug.", "invalid_choice": "Choose a drug of the lexicon."}
    )
    brand = forms.CharField(
        label="Brand name",
        max_length=workflow.NAME_MAX,
        help_text="One name, for example “Kisqali”. Letters, digits, spaces and hyphens.",
        error_messages={"required": "Enter the brand name."},
    )

    def __init__(self, *args: Any, lexicon: Lexicon, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["drug"].choices = [("", "Choose a drug"), *((name, name) for name in sorted(lexicon.drugs))]


@require_safe
@curator_required
@vary_on_headers("HX-Request")
def lexicon(request: HttpRequest) -> HttpResponse:
    current = current_lexicon()
    search = SearchForm(request.GET)
    words = search.cleaned_data["q"] if search.is_valid() else ""
    # "Add a brand name" beside a drug in the list comes here with the drug chosen in that form.
    brand_form = AddBrandForm(lexicon=current, initial={"drug": request.GET.get("drug", "")})
    context = page_context(current, search=search, words=words, brand_form=brand_form)
    if request.htmx and request.htmx.target == "drug-results":
        return TemplateResponse(request, f"{PAGE}#drug-search-response", context)
    return TemplateResponse(request, PAGE, context)


@require_POST
@curator_required
def add_drug(request: HttpRequest) -> HttpResponse:
    current = current_lexicon()
    form = AddDrugForm(request.POST, lexicon=current)
    form.is_valid()
    # Every problem at once: the lexicon's own checks too, for the fields Django found nothing wrong with.
    show_problems(form, workflow.drug_problems(form.new_drug(), current))
    if not form.errors:
        try:
            change = workflow.add_drug(form.new_drug(), curator=request.user.get_username())
        except workflow.Refused as refused:  # another curator's addition came first
            show_problems(form, refused.problems)
        else:
            return saved_response(request, ADD_DRUG, change, form.new_drug().name)
    return refused_response(request, ADD_DRUG, drug_form=form)


@require_POST
@curator_required
def add_brand(request: HttpRequest) -> HttpResponse:
    current = current_lexicon()
    form = AddBrandForm(request.POST, lexicon=current)
    form.is_valid()
    drug, brand = form.cleaned_data.get("drug", ""), form.cleaned_data.get("brand", "")
    show_problems(form, workflow.brand_problems(drug, workflow.tidy(brand), current))
    if not form.errors:
        try:
            change = workflow.add_brand(drug, brand, curator=request.user.get_username())
        except workflow.Refused as refused:
            show_problems(form, refused.problems)
        else:
            return saved_response(request, ADD_BRAND, change, drug)
    return refused_response(request, ADD_BRAND, brand_form=form)


def show_problems(form: forms.Form, problems: dict[str, list[str]]) -> None:
    """The workflow's problems beside their fields; a field Django already refused keeps its own message."""
    for field, found in problems.items():
        if field != workflow.NON_FIELD and field in form.errors:
            continue
        for problem in found:
            form.add_error(None if field == workflow.NON_FIELD else field, problem)


def saved_response(request: HttpRequest, section: str, change: workflow.Change, drug_name: str) -> HttpResponse:
    if not request.htmx:
        # Post, redirect, get: back to the page, the message at its top (curation/nav.html), the drug in the list.
        messages.success(request, change.message)
        return redirect(reverse("curation:lexicon", query={"q": drug_name}))
    # The form, empty again, with what was done above it. The drug list (as searched: the search
    # box comes with the post) and the other form's choices change with the lexicon, so they come
    # along out of band.
    search = SearchForm(request.POST)
    words = search.cleaned_data["q"] if search.is_valid() else ""
    context = page_context(current_lexicon(), search=search, words=words, notices={section: [change.message]})
    return TemplateResponse(request, f"{PAGE}#{section}-response", {**context, "saved": True})


def refused_response(request: HttpRequest, section: str, **shown: forms.Form) -> HttpResponse:
    """The form again, each problem beside its field and everything typed kept: nothing was saved."""
    if request.htmx:
        # htmx swaps a 200 only. The notice of an earlier addition, above the form, goes.
        context = page_context(current_lexicon(), notices={section: []}, **shown)
        return TemplateResponse(request, f"{PAGE}#{section}-response", {**context, "saved": False})
    return TemplateResponse(request, PAGE, page_context(current_lexicon(), **shown), status=400)


def page_context(
    current: Lexicon,
    *,
    search: SearchForm | None = None,
    words: str = "",
    notices: dict[str, list[str]] | None = None,  # after an htmx post, above the form used
    drug_form: AddDrugForm | None = None,
    brand_form: AddBrandForm | None = None,
) -> dict[str, Any]:
    drug_form = drug_form or AddDrugForm(lexicon=current)
    notices = notices or {}
    return {
        "section": "lexicon",
        "search": search or SearchForm(),
        "words": words,
        "drugs": drug_rows(current, words),
        "drug_total": len(current.drugs),
        "drug_notices": notices.get(ADD_DRUG, []),
        "brand_notices": notices.get(ADD_BRAND, []),
        "drug_form": drug_form,
        "brand_form": brand_form or AddBrandForm(lexicon=current),
        "class_choices": class_tree(current, ticked=set(drug_form["classes"].value() or [])),
        "class_rows": class_rows(current),
    }


def drug_rows(current: Lexicon, words: str) -> list[dict[str, Any]]:
    return [
        {
            "name": drug.name,
            "brands": drug.brands,
            "codes": drug.codes,
            "classes": [current.classes[key].label for key in drug.classes if key in current.classes],
        }
        for drug in found_drugs(current, words)
    ]


def found_drugs(current: Lexicon, words: str) -> list[DrugData]:
    """Drugs with the words in a name, brand or code, or in the key or label of a class they are in."""
    wanted = " ".join(words.lower().split())
    drugs = sorted(current.drugs.values(), key=lambda drug: drug.name)
    if not wanted:
        return drugs

    def haystack(drug: DrugData) -> str:
        classes = [key for key in current.classes_of(drug) if key in current.classes]
        return "\n".join([drug.name, *drug.brands, *drug.codes, *classes, *(current.classes[k].label for k in classes)])

    return [drug for drug in drugs if wanted in haystack(drug).lower()]


def class_tree(current: Lexicon, ticked: set[str]) -> list[dict[str, Any]]:
    """The drug classes as nested nodes (key, label, ticked, children), for the checkboxes."""
    nodes = {
        key: {"key": key, "label": current.classes[key].label, "ticked": key in ticked, "children": []}
        for key in classes_in_tree_order(current)
    }
    top = []
    for key, node in nodes.items():
        parent = current.classes[key].parent
        (nodes[parent]["children"] if parent in nodes else top).append(node)
    return top


def class_rows(current: Lexicon) -> list[dict[str, Any]]:
    rows = []
    for key in classes_in_tree_order(current):
        drug_class = current.classes[key]
        parent = current.classes.get(drug_class.parent or "")
        rows.append(
            {
                "key": key,
                "label": drug_class.label,
                "parent": parent,
                "drugs": len(current.members(key)),
            }
        )
    return rows
