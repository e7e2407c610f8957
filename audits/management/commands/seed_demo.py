"""Demo districts, people, products and audits, so a newcomer can try every page. Safe to run twice."""

import datetime
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assetlens.models import District, Membership
from audits import services, tasks
from audits.models import Answer, Audit
from committees import services as committee_services
from committees.models import AuditRequest, Committee, CommitteeMember, Decision
from notifications import services as notification_services
from people import services as people_services
from people.models import Invitation
from products.models import Product, ToolsPage
from rubrics.selectors import current_version_for, version_structure

PASSWORD = "assetlens-demo"

DISTRICTS = [
    ("Riverbend Unified", "riverbend"),
    ("Mesa Verde Schools", "mesa"),
]
ROLES = [
    ("leader", Membership.Role.LEADER, "District leader"),
    ("committee", Membership.Role.COMMITTEE_MEMBER, "Committee member"),
    ("admin", Membership.Role.DISTRICT_ADMIN, "District admin"),
]
NAMES = {
    "riverbend": {"leader": ("Rosa", "Martínez"), "committee": ("Sam", "Okafor"), "admin": ("Lee", "Chen")},
    "mesa": {"leader": ("Amara", "Begay"), "committee": ("Jordan", "Nguyen"), "admin": ("Priya", "Shah")},
}
PRODUCTS = [
    {
        "name": "MathSprint", "vendor": "Sprint Learning Co.", "website": "https://mathsprint.example",
        "purpose": "Daily math practice for grades 3-5.", "grade_bands": ["3-5"],
        "marketing_copy": (
            "Don't let your child fall behind! Struggling students lose ground every week they wait.\n"
            "MathSprint fixes gaps fast for low-performing kids before it's too late.\n"
            "Only 3 spots left at this price: sign up today."
        ),
    },
    {
        "name": "ReadAlong Stories", "vendor": "Open Shelf", "website": "https://readalong.example",
        "purpose": "Bilingual picture books with read-aloud, for K-2 and families.", "grade_bands": ["k2", "adult"],
        "marketing_copy": (
            "Help your child get excited about reading, in English, Spanish or both.\n"
            "Families record stories in their home language, and every book read is a milestone we celebrate.\n"
            "Pick up where you left off whenever you like."
        ),
    },
    {
        "name": "FamilyBridge", "vendor": "Bridge EdTech", "website": "https://familybridge.example",
        "purpose": "Two-way messages between teachers and families.", "grade_bands": ["k2", "3-5", "6-8"],
        "marketing_copy": "Messages arrive in each family's language, and families can reply from any phone.",
    },
]


class Command(BaseCommand):
    help = "Load demo districts, users (password: assetlens-demo), products and audits."

    @transaction.atomic
    def handle(self, *args, **options):
        if settings.PRODUCTION:
            # Its accounts' password is printed in the README, and it resets the demo people's roles.
            raise CommandError(
                "seed_demo refuses to run with production settings (ASSETLENS_PRODUCTION=1): it creates a superuser "
                "'siteadmin' and demo accounts whose password is public in the README. Load the demo on a trial "
                "install without ASSETLENS_PRODUCTION; on a real install, use `python manage.py createsuperuser`.")
        User = get_user_model()
        logins = []
        invitations = []
        admin, created = User.objects.get_or_create(
            username="siteadmin", defaults={"is_staff": True, "is_superuser": True, "first_name": "Site",
                                            "last_name": "Admin", "email": "siteadmin@example.org"}
        )
        if created:
            admin.set_password(PASSWORD)
            admin.save()
        logins.append(("siteadmin", "Site admin (above districts)", "—"))

        for district_name, slug in DISTRICTS:
            district, _ = District.objects.get_or_create(slug=slug, defaults={"name": district_name})
            people = {}
            for suffix, role, title in ROLES:
                username = f"{slug}-{suffix}"
                user, created = User.objects.get_or_create(
                    username=username,
                    defaults={"first_name": NAMES[slug][suffix][0], "last_name": NAMES[slug][suffix][1],
                              "email": f"{username}@example.org"},
                )
                if created:
                    user.set_password(PASSWORD)
                    user.save()
                Membership.objects.update_or_create(user=user, defaults={"district": district, "role": role})
                people[suffix] = user
                logins.append((username, title, district_name))
            self._products_and_audits(district, people)
            invitations.append(self._pending_invitation(district, people["admin"]))
            self._families_page(district, people)

        self.stdout.write(self.style.SUCCESS(f"Demo data is ready. Sign in at {settings.SITE_URL}/ with:"))
        for username, title, district_name in logins:
            self.stdout.write(f"  {username:<22} {PASSWORD:<16} {title} · {district_name}")
        self.stdout.write("Pending invitations (shown on each district's People page):")
        for line in invitations:
            self.stdout.write(f"  {line}")

    def _pending_invitation(self, district, admin):
        """A colleague invited but not joined yet, so the People page shows an invitation waiting."""
        email = f"new-teacher@{district.slug}.example.org"
        if Invitation.objects.filter(district=district, email=email, accepted_at__isnull=True,
                                     revoked_at__isnull=True).exists():
            return f"{email} (invited earlier)"
        committee = Committee.objects.filter(district=district, name="K-5 reading supplement").first()
        [result] = people_services.invite(district, admin, [email], Membership.Role.COMMITTEE_MEMBER,
                                          [committee.pk] if committee else [])
        return f"{email}: {people_services.join_url(result.token)}"

    def _families_page(self, district, people):
        """Riverbend publishes its families' page with the reading supplement it adopted; Mesa Verde does not
        publish (its page is a 404)."""
        if district.slug != "riverbend":
            ToolsPage.objects.get_or_create(district=district, defaults={"published": False})
            return
        ToolsPage.objects.update_or_create(district=district, defaults={
            "published": True, "updated_by": people["admin"],
            "introduction": "These are the learning tools Riverbend classrooms use, chosen with families in mind.",
            "introduction_es": "Estas son las herramientas de aprendizaje que usan las aulas de Riverbend, elegidas "
                               "pensando en las familias.",
        })
        product = Product.objects.get(district=district, name="ReadAlong Stories")
        Product.objects.filter(pk=product.pk).update(
            show_to_families=True,
            family_summary=("Children read picture books in English, Spanish or both, and families can record "
                            "stories in their home language. Every book read is celebrated."),
            family_summary_es=("Los niños leen libros ilustrados en inglés, en español o en ambos, y las familias "
                               "pueden grabar cuentos en su idioma. Se celebra cada libro leído."),
        )
        committee = Committee.objects.get(district=district, name="K-5 reading supplement")
        if not Decision.objects.filter(committee=committee, product=product).exists():
            Decision.objects.create(
                committee=committee, product=product, outcome=Decision.Outcome.ADOPT, proposed_by=people["admin"],
                decided_on=datetime.date(2026, 9, 14), status=Decision.Status.CARRIED,
                rationale="Builds on the languages our families speak at home; the auditors agreed closely.")

    def _products_and_audits(self, district, people):
        products = {}
        for data in PRODUCTS:
            product, _ = Product.objects.get_or_create(
                district=district, name=data["name"], defaults={**data, "created_by": people["leader"]}
            )
            products[data["name"]] = product
        if Audit.objects.filter(district=district).exists():
            return
        version = current_version_for(district)
        criteria = version_structure(version)
        questions = [q for c in criteria for q in c.questions.all()]

        # Scored audits of each kind of copy, by two people so a comparison shows how far they agree, and a
        # draft in progress, so every page has something to show.
        for auditor, product_name, level_for in (
            ("leader", "ReadAlong Stories", lambda i: 4 if i % 3 else 3),
            ("leader", "MathSprint", lambda i: 1 if i % 4 else 2),
            ("committee", "ReadAlong Stories", lambda i: 4 if i % 2 else 3),
            ("committee", "MathSprint", lambda i: 1 if i % 3 else 0),
        ):
            audit = Audit.objects.create(district=district, product=products[product_name], rubric_version=version,
                                         auditor=people[auditor])
            for i, question in enumerate(questions):
                Answer.objects.create(audit=audit, question=question, level=level_for(i),
                                      notes="Seen in the vendor demo and on their website.")
            services.submit(audit)
            tasks.score_submitted_audit(audit.pk)
        draft = Audit.objects.create(district=district, product=products["FamilyBridge"], rubric_version=version,
                                     auditor=people["leader"])
        for question in questions[:3]:
            Answer.objects.create(audit=draft, question=question, level=3)
        committee = Committee.objects.create(
            district=district, name="K-5 reading supplement", created_by=people["admin"],
            purpose="Choose a reading supplement that builds on the languages our families speak at home.",
        )
        for person in people.values():
            CommitteeMember.objects.create(committee=committee, user=person)
        self._requests_and_notifications(committee, people, products)

    def _requests_and_notifications(self, committee, people, products):
        """Audit requests with due dates, and the notifications (and queued emails) they bring: the leader and
        the committee member are asked to audit FamilyBridge; the admin's older request is due in two days."""
        today = timezone.localdate()
        committee_services.request_audits(committee, products["FamilyBridge"], [people["committee"], people["leader"]],
                                          people["admin"], today + timedelta(days=9))
        older = AuditRequest.objects.create(committee=committee, product=products["ReadAlong Stories"],
                                            member=people["admin"], requested_by=people["admin"],
                                            due_date=today + timedelta(days=2))
        AuditRequest.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=7))
        notification_services.send_due_reminders(today)
