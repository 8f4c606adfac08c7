"""Staff accounts: curators and care navigators sign in at /accounts/, each reaches only the
workspace of their role, repeated wrong passwords lock a name out for a while, and sessions end."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from screening.staff.roles import Role

pytestmark = pytest.mark.django_db

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSPHRASE = "amber kettle violin 42"
WORKSPACES = {"/curate/": "Review queue", "/navigate/": "Navigator workspace"}


@pytest.fixture(autouse=True)
def quick_hashing(settings) -> None:
    """A full-strength hash costs most of a second; these tests are about who gets in, not the hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def staff(username: str, *roles: Role) -> User:
    user = User.objects.create_user(username, password=PASSPHRASE)
    user.groups.add(*Group.objects.filter(name__in=roles))
    return user


@pytest.fixture
def curator() -> User:
    return staff("mlopez", Role.CURATOR)


@pytest.fixture
def navigator() -> User:
    return staff("akim", Role.NAVIGATOR)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sign_in(client: Client, username: str, password: str, next_url: str | None = None, **extra):
    data = {"username": username, "password": password} | ({"next": next_url} if next_url else {})
    return client.post("/accounts/sign-in/", data, **extra)


def page(response) -> str:
    return response.content.decode()


# Roles


def test_the_migration_makes_the_curator_and_navigator_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {"curator", "navigator"}


# createstaff


def createstaff(*args: str, stdin=None) -> str:
    out = io.StringIO()
    call_command("createstaff", *args, stdout=out, **({"stdin": stdin} if stdin else {}))
    return out.getvalue()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def roles_of(username: str) -> set[str]:
    return set(User.objects.get(username=username).groups.values_list("name", flat=True))


def test_createstaff_makes_an_account_with_its_role_and_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRIALSCREEN_STAFF_PASSWORD", PASSPHRASE)
    assert createstaff("mlopez", "--role", "curator") == "Created mlopez as a curator.\n"
    user = User.objects.get(username="mlopez")
    assert user.check_password(PASSPHRASE)
    assert roles_of("mlopez") == {"curator"}
    # Staff work in their workspace; the admin, which can edit every table, is for superusers.
    assert not user.is_staff and not user.is_superuser
    assert sign_in(Client(), "mlopez", PASSPHRASE)["Location"] == "/curate/"


def test_createstaff_asks_for_the_password_twice_at_a_terminal(monkeypatch):
    monkeypatch.delenv("TRIALSCREEN_STAFF_PASSWORD", raising=False)
    prompts = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or PASSPHRASE)
    createstaff("akim", "--role", "navigator", stdin=Terminal())
    assert prompts == ["Password: ", "Password (again): "]
    assert User.objects.get(username="akim").check_password(PASSPHRASE)
    assert roles_of("akim") == {"navigator"}


def test_createstaff_refuses_two_different_passwords_and_creates_nothing(monkeypatch):
    monkeypatch.delenv("TRIALSCREEN_STAFF_PASSWORD", raising=False)
    answers = iter([PASSPHRASE, PASSPHRASE + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="The two passwords differ"):
        createstaff("akim", "--role", "navigator", stdin=Terminal())
    assert not User.objects.filter(username="akim").exists()


def test_createstaff_without_a_terminal_or_the_variable_says_how_to_give_a_password(monkeypatch):
    monkeypatch.delenv("TRIALSCREEN_STAFF_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="run this in a terminal .* or set TRIALSCREEN_STAFF_PASSWORD"):
        createstaff("akim", "--role", "navigator", stdin=io.StringIO())


@pytest.mark.parametrize(
    "password, reason",
    [
        ("kettle", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("38104729561", "This password is entirely numeric."),
        ("mlopez2024", "The password is too similar to the username."),
    ],
)
def test_createstaff_refuses_a_weak_password_saying_why_and_creates_nothing(monkeypatch, password, reason):
    monkeypatch.setenv("TRIALSCREEN_STAFF_PASSWORD", password)
    with pytest.raises(CommandError) as refused:
        createstaff("mlopez", "--role", "curator")
    assert str(refused.value).startswith("That password is refused: ")
    assert reason in str(refused.value)
    assert str(refused.value).endswith("Nothing was changed.")
    assert not User.objects.filter(username="mlopez").exists()


def test_createstaff_again_changes_the_role_and_the_password_and_says_so(monkeypatch, navigator):
    monkeypatch.setenv("TRIALSCREEN_STAFF_PASSWORD", "copper lantern 77 fog")
    assert createstaff("akim", "--role", "curator") == (
        "Updated akim: now a curator (was a care navigator), password changed.\n"
    )
    assert roles_of("akim") == {"curator"}  # one role at a time
    assert User.objects.get(username="akim").check_password("copper lantern 77 fog")
    assert signed_in(User.objects.get(username="akim")).get("/navigate/").status_code == 403


def test_createstaff_with_keep_password_changes_only_the_role(monkeypatch, navigator):
    monkeypatch.delenv("TRIALSCREEN_STAFF_PASSWORD", raising=False)
    assert (
        createstaff("akim", "--role", "curator", "--keep-password")
        == "Updated akim: now a curator (was a care navigator).\n"
    )
    assert User.objects.get(username="akim").check_password(PASSPHRASE)
    assert createstaff("akim", "--role", "curator", "--keep-password") == "Updated akim: still a curator.\n"
    with pytest.raises(CommandError, match="no account 'nobody' yet"):
        createstaff("nobody", "--role", "curator", "--keep-password")


def test_createstaff_refuses_an_unknown_role_and_a_user_name_django_would_not_accept(monkeypatch):
    monkeypatch.setenv("TRIALSCREEN_STAFF_PASSWORD", PASSPHRASE)
    with pytest.raises(CommandError, match="invalid choice: 'admin'"):
        createstaff("mlopez", "--role", "admin")
    with pytest.raises(CommandError, match="cannot be a user name"):
        createstaff("m lopez", "--role", "curator")
    assert not User.objects.exists()


# Who may open which workspace


@pytest.mark.parametrize("path", WORKSPACES)
def test_an_anonymous_visitor_is_sent_to_the_sign_in_page_and_brought_back(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/sign-in/?next={path}"


@pytest.mark.parametrize("path", WORKSPACES)
def test_a_patient_with_her_private_link_is_only_a_visitor_to_the_staff_pages(client, path):
    private_link = client.post("/start/")["Location"]
    assert client.get(private_link).status_code == 200
    assert client.get(path)["Location"] == f"/accounts/sign-in/?next={path}"
    # Her link is her key: nothing of hers is kept in a session, and staff session settings do not touch her.
    assert "sessionid" not in client.cookies


def is_the_plain_403_page(response, username: str) -> bool:
    text = page(response)
    return (
        response.status_code == 403
        and "This page is not open to your account" in text
        and f"You are signed in as <strong>{username}</strong>" in text
        and 'action="/accounts/sign-out/"' in text
        and "usa-header" in text  # the site's own page, not Django's bare one
    )


def test_a_navigator_gets_the_plain_403_page_in_the_curators_workspace(navigator):
    assert is_the_plain_403_page(signed_in(navigator).get("/curate/"), "akim")


def test_a_curator_gets_the_plain_403_page_in_the_navigators_workspace(curator):
    assert is_the_plain_403_page(signed_in(curator).get("/navigate/"), "mlopez")


def test_an_account_with_no_role_opens_neither_workspace():
    client = signed_in(staff("visitor"))
    for path in WORKSPACES:
        assert is_the_plain_403_page(client.get(path), "visitor"), path


@pytest.mark.parametrize("role, path", [(Role.CURATOR, "/curate/"), (Role.NAVIGATOR, "/navigate/")])
def test_each_role_opens_its_own_workspace_named_with_a_sign_out_button(role, path):
    user = staff("sam", role)
    user.first_name, user.last_name = "Sam", "Okafor"
    user.save()
    response = signed_in(user).get(path)
    assert response.status_code == 200
    assert f"<h1>{WORKSPACES[path]}</h1>" in page(response)
    assert "Signed in as <strong>Sam Okafor</strong>" in page(response)
    assert '<form method="post" action="/accounts/sign-out/">' in page(response)


def test_a_superuser_opens_both_workspaces():
    client = signed_in(User.objects.create_superuser("root", "root@example.org", PASSPHRASE))
    for path in WORKSPACES:
        assert client.get(path).status_code == 200, path


def test_a_workspace_answers_only_reads(curator):
    assert signed_in(curator).post("/curate/").status_code == 405


# Signing in


def test_the_sign_in_page_labels_both_fields_for_password_managers(client):
    response = client.get("/accounts/sign-in/?next=/curate/")
    text = page(response)
    assert response.status_code == 200
    assert '<label class="usa-label" for="id_username">User name</label>' in text
    assert 'autocomplete="username"' in text and 'autocomplete="current-password"' in text
    assert '<input type="hidden" name="next" value="/curate/">' in text


def test_signing_in_leads_back_to_the_page_that_asked_for_it(client, curator):
    response = sign_in(client, "mlopez", PASSPHRASE, next_url="/curate/?page=2")
    assert response["Location"] == "/curate/?page=2"
    assert client.get("/curate/").status_code == 200


def test_signing_in_with_nowhere_to_go_leads_to_the_workspace_of_ones_role(curator, navigator):
    assert sign_in(Client(), "mlopez", PASSPHRASE)["Location"] == "/curate/"
    assert sign_in(Client(), "akim", PASSPHRASE)["Location"] == "/navigate/"


@pytest.mark.parametrize(
    "elsewhere",
    ["https://evil.example/", "//evil.example/curate/", "http://testserver.evil.example/", "javascript:alert(1)"],
)
def test_a_next_page_on_another_site_is_ignored(client, curator, elsewhere):
    assert client.get(f"/accounts/sign-in/?next={elsewhere}").content.decode().count("evil.example") == 0
    assert sign_in(client, "mlopez", PASSPHRASE, next_url=elsewhere)["Location"] == "/curate/"


def test_a_wrong_password_says_so_plainly_and_keeps_the_user_name_but_not_the_password(client, curator):
    response = sign_in(client, "mlopez", "amber kettle violin 24", next_url="/curate/")
    text = page(response)
    assert response.status_code == 200
    assert "That user name and password do not match a staff account. Check both and try again" in text
    assert 'value="mlopez"' in text
    assert "amber kettle violin 24" not in text
    assert '<input type="hidden" name="next" value="/curate/">' in text
    assert client.get("/curate/").status_code == 302  # still not signed in


def test_an_unknown_user_name_gets_the_same_message_as_a_wrong_password(client, curator):
    wrong_name = page(sign_in(client, "mlopes", PASSPHRASE))
    assert "That user name and password do not match a staff account." in wrong_name


def test_empty_fields_each_get_their_message_beside_them(client):
    text = page(sign_in(client, "", ""))
    assert '<span class="usa-error-message" id="id_username-error" role="alert">Enter your user name.</span>' in text
    assert '<span class="usa-error-message" id="id_password-error" role="alert">Enter your password.</span>' in text
    assert text.count('aria-invalid="true"') == 2
    only_password = page(sign_in(client, "mlopez", ""))
    assert 'value="mlopez"' in only_password
    assert "Enter your user name." not in only_password and "Enter your password." in only_password


# Lockout (django-axes)


@pytest.fixture
def lockout_on(settings):
    """The other tests run with the limits off (tests/conftest.py); this is the staff sign-in's own."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def test_the_sign_in_page_locks_a_name_out_at_an_address_after_repeated_failures(client, curator, lockout_on):
    for _ in range(2):
        assert sign_in(client, "mlopez", "a wrong guess", REMOTE_ADDR="203.0.113.7").status_code == 200
    locked = sign_in(client, "mlopez", "a wrong guess", REMOTE_ADDR="203.0.113.7")
    text = page(locked)
    assert locked.status_code == 429
    assert "Please wait, then try again" in text
    assert "paused for 15 minutes" in text
    assert locked["Retry-After"] == "900"
    assert locked["Cache-Control"] == "no-store"
    assert "axes" not in text.lower() and "Traceback" not in text
    # The right password does not get through from there, but does from elsewhere.
    assert sign_in(Client(), "mlopez", PASSPHRASE, REMOTE_ADDR="203.0.113.7").status_code == 429
    assert sign_in(Client(), "mlopez", PASSPHRASE, REMOTE_ADDR="198.51.100.20")["Location"] == "/curate/"


# Signing out


def test_signing_out_is_a_post_and_says_so_on_the_sign_in_page(curator):
    client = signed_in(curator)
    assert client.get("/accounts/sign-out/").status_code == 405
    assert client.get("/curate/").status_code == 200  # a link cannot sign anyone out
    response = client.post("/accounts/sign-out/", follow=True)
    assert response.redirect_chain == [("/accounts/sign-in/", 302)]
    assert "You have signed out." in page(response)
    assert client.get("/curate/").status_code == 302


# Sessions


def test_a_staff_session_lasts_eight_hours_from_signing_in_and_its_cookie_the_browser_session(client, curator):
    response = sign_in(client, "mlopez", PASSPHRASE)
    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # gone when the browser closes
    expires = Session.objects.get(session_key=cookie.value).expire_date
    assert abs(expires - (timezone.now() + timedelta(hours=8))) < timedelta(minutes=1)


def test_a_session_past_its_age_is_signed_out(client, curator):
    sign_in(client, "mlopez", PASSPHRASE)
    Session.objects.filter(session_key=client.cookies["sessionid"].value).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert client.get("/curate/")["Location"] == "/accounts/sign-in/?next=/curate/"


def session_age_with(**environment: str) -> subprocess.CompletedProcess:
    code = "import django; django.setup(); from django.conf import settings; print(settings.SESSION_COOKIE_AGE)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "trialscreen.settings", **environment}
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)  # noqa: S603


def test_the_session_age_is_read_in_hours_from_the_environment(monkeypatch):
    monkeypatch.delenv("TRIALSCREEN_STAFF_SESSION_HOURS", raising=False)
    assert session_age_with().stdout.strip() == str(8 * 3600)
    assert session_age_with(TRIALSCREEN_STAFF_SESSION_HOURS="2").stdout.strip() == "7200"
    refused = session_age_with(TRIALSCREEN_STAFF_SESSION_HOURS="half a day")
    assert refused.returncode != 0
    assert "TRIALSCREEN_STAFF_SESSION_HOURS must be a whole number" in refused.stderr


# Not stored


def test_every_staff_page_is_marked_no_store_whatever_its_answer(client, curator, navigator, settings):
    responses = {
        "sign-in page": client.get("/accounts/sign-in/"),
        "failed sign-in": sign_in(client, "mlopez", "a wrong guess"),
        "redirect to sign in": client.get("/curate/"),
        "sign-out refused": client.get("/accounts/sign-out/"),
        "curator workspace": signed_in(curator).get("/curate/"),
        "navigator workspace": signed_in(navigator).get("/navigate/"),
        "403": signed_in(curator).get("/navigate/"),
        "sign-out": signed_in(curator).post("/accounts/sign-out/"),
    }
    for name, response in responses.items():
        assert response["Cache-Control"] == "no-store", name
