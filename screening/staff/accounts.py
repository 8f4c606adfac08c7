"""Signing staff in and out at /accounts/, and the page shown when django-axes locks a sign-in out."""

from __future__ import annotations

from axes.helpers import get_cool_off
from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from screening.staff.roles import workspace_url


class SignInForm(AuthenticationForm):
    """Django's sign-in form in plain words. It passes the request to authenticate(), which is how
    django-axes counts failures by user name and address and refuses a locked-out sign-in."""

    username = UsernameField(label="User name", error_messages={"required": "Enter your user name."})
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput, error_messages={"required": "Enter your password."}
    )

    error_messages = {
        # One message for a wrong name and a wrong password: saying which would tell a guesser
        # that the name exists.
        "invalid_login": "That user name and password do not match a staff account. Check both and try again: capital letters count.",
        "inactive": "This account is switched off. Ask whoever manages staff accounts to switch it on again.",
    }


def safe_next(request: HttpRequest) -> str:
    """The page that sent the visitor here, if it is on this site; anything else is dropped, so a
    link cannot use our sign-in page to send a signed-in curator to another site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_post_parameters("password")
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        login(request, form.get_user())
        return redirect(safe_next(request) or workspace_url(form.get_user()))
    return TemplateResponse(request, "staff/sign_in.html", {"form": form, "next": safe_next(request)})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """POST only: a link or an image on another page must not be able to sign anyone out."""
    if request.user.is_authenticated:
        logout(request)
        # Kept in a cookie by the messages framework: the session it would use has just ended.
        messages.success(request, "You have signed out.")
    return redirect("staff:sign-in")


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked-out sign-in (settings.AXES_LOCKOUT_CALLABLE), here and in the admin."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    response = render(request, "staff/locked_out.html", {"minutes": minutes}, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
