"""The curators' workspace at /curate/: for now a landing page that proves the role check.

In a module of its own so the curation workspace (issue 13) can take it over whole."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from screening.staff.roles import curator_required


@require_safe
@curator_required
def workspace(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "staff/curate.html")
