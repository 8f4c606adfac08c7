from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from screening.staff.roles import Role

PASSWORD_VARIABLE = "TRIALSCREEN_STAFF_PASSWORD"


class Command(BaseCommand):
    # Tests hand in a stand-in terminal, as they do for Django's createsuperuser.
    stealth_options = ("stdin",)
    help = (
        "Create a staff account with one role (curator or navigator), or change an existing account's role "
        f"and password. The password is asked for twice, or read from {PASSWORD_VARIABLE} for scripts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", metavar="USERNAME")
        parser.add_argument("--role", required=True, choices=Role.values, help="What the account may do.")
        parser.add_argument(
            "--keep-password",
            action="store_true",
            help="For an existing account: change only its role.",
        )

    def handle(self, *args: Any, username: str, role: str, keep_password: bool, **options: Any) -> None:
        User = get_user_model()
        try:
            User.username_validator(username)
        except ValidationError as error:
            raise CommandError(f"{username!r} cannot be a user name: {' '.join(error.messages)}") from None
        user = User.objects.filter(username=username).first()
        existed = user is not None
        before = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True)) if existed else set()
        if user is None:
            if keep_password:
                raise CommandError(f"There is no account {username!r} yet, so it has no password to keep.")
            # Staff work in their own workspaces, never in the admin, which can edit every table:
            # is_staff stays off. The admin is for superusers (`createsuperuser`).
            user = User(username=username, is_staff=False)
        if not keep_password:
            password = self.read_password(options.get("stdin") or sys.stdin)
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise CommandError(
                    "That password is refused: " + " ".join(error.messages) + " Nothing was changed."
                ) from None
            user.set_password(password)

        with transaction.atomic():
            user.save()
            # One role per account: giving one takes the other away. Other groups are left alone.
            user.groups.remove(*Group.objects.filter(name__in=Role.values).exclude(name=role))
            user.groups.add(Group.objects.get(name=role))

        label = Role(role).label
        if not existed:
            self.stdout.write(f"Created {username} as a {label}.")
            return
        if before == {role}:
            changes = [f"still a {label}"]
        else:
            was = " and a ".join(Role(name).label for name in sorted(before)) or "no role"
            changes = [f"now a {label} (was {'a ' if before else ''}{was})"]
        changes += [] if keep_password else ["password changed"]
        self.stdout.write(f"Updated {username}: {', '.join(changes)}.")
        if user.is_superuser:
            self.stdout.write(f"{username} is also a superuser, who may open every workspace.")

    def read_password(self, stdin) -> str:
        """From the environment for scripts; otherwise asked twice at a terminal, never echoed, and
        never taken as an argument, where it would be kept in the shell's history and shown by ps."""
        password = os.environ.get(PASSWORD_VARIABLE)
        if password is not None:
            if not password:
                raise CommandError(f"{PASSWORD_VARIABLE} is set but empty.")
            return password
        if not (hasattr(stdin, "isatty") and stdin.isatty()):
            raise CommandError(f"No password: run this in a terminal to be asked for one, or set {PASSWORD_VARIABLE}.")
        password = getpass.getpass("Password: ")
        if not password:
            raise CommandError("The password cannot be empty. To change only the role, add --keep-password.")
        if getpass.getpass("Password (again): ") != password:
            raise CommandError("The two passwords differ. Nothing was changed.")
        return password
