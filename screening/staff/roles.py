"""Staff roles and the decorators that keep each workspace to its role.

A role is membership of a group of that name; the groups are made by this app's first migration.
Superusers may open every workspace: they run the site and may need to see what staff see.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class Role(models.TextChoices):
    CURATOR = "curator", "curator"
    NAVIGATOR = "navigator", "care navigator"


def has_role(user: AbstractBaseUser | AnonymousUser, role: Role) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=role.value).exists()


def role_required(role: Role) -> Callable:
    """Anonymous visitors (a patient with her private link is one) go to the sign-in page, which
    brings them back here; a signed-in user without the role gets the 403 page, not the sign-in
    page again, which would only loop."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, role):
                raise PermissionDenied(f"This page is for the {role.label} role.")
            return view(request, *args, **kwargs)

        return checked

    return decorator


curator_required = role_required(Role.CURATOR)
navigator_required = role_required(Role.NAVIGATOR)


def workspace_url(user: AbstractBaseUser) -> str:
    """Where signing in leads when no page asked for it: a navigator's workspace for navigators, the
    curators' for everyone else (a user with no role is then told plainly that it is not theirs)."""
    if has_role(user, Role.NAVIGATOR) and not has_role(user, Role.CURATOR):
        return reverse("navigation:queue")
    return reverse("curation:queue")
