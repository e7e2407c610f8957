"""Start a district: its name and its first admin, who then invites everyone else from the People page.

    python manage.py create_district "Riverbend Unified" admin@riverbend.example            # prints the link
    python manage.py create_district "Riverbend Unified" admin@riverbend.example --password # asks for one
"""

import getpass
import os

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from people import services

# For scripts (as Django's createsuperuser reads DJANGO_SUPERUSER_PASSWORD): never a password in shell history.
PASSWORD_VARIABLE = "ASSETLENS_ADMIN_PASSWORD"


class Command(BaseCommand):
    help = "Create a district and its first district admin (invited by email, or made at once with --password)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The district's name, e.g. “Riverbend Unified”.")
        parser.add_argument("admin_email", help="The first district admin's email address.")
        parser.add_argument("--password", action="store_true",
                            help=f"Create the admin at once with a password (asked for, or read from "
                                 f"{PASSWORD_VARIABLE}) instead of emailing an invitation.")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE,
                            choices=[code for code, _ in settings.LANGUAGES], help="The language of their email.")

    def handle(self, *args, name, admin_email, password, language, **options):
        email = admin_email.strip().lower()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"{admin_email!r} is not an email address.") from exc
        if not name.strip():
            raise CommandError("Give the district a name.")
        secret = self._ask_password(email) if password else None
        try:
            created = services.create_district(name, email, secret, language)
        except services.AlreadyInAnotherDistrict as exc:
            raise CommandError(f"{email} already belongs to a district; a person belongs to one district only.") \
                from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"District {created.district.name!r} is created."))
        if created.invitation is not None:
            self.stdout.write(f"An invitation is on its way to {email}. Their link (works once, for 7 days):")
            self.stdout.write(f"  {services.join_url(created.invitation.token)}")
        else:
            self.stdout.write(f"{email} is its district admin and can sign in now (username: "
                              f"{created.admin.username}).")
        self.stdout.write("They invite everyone else from the People page.")

    def _ask_password(self, email):
        password = os.environ.get(PASSWORD_VARIABLE)
        if password is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        try:
            password_validation.validate_password(password, User(username=email, email=email))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        return password
