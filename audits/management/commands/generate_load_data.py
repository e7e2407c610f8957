"""A large, realistic data set for benchmarks: districts with people, products, audits, answers and scores.

    python manage.py generate_load_data --districts 20 --products 2000 --audits 20000

Districts are called "Load district NN" (slug load-NN); --replace removes an earlier load set first.
Every load user's password is LOAD_PASSWORD (benchmarks sign in with it). Rows go in with bulk_create,
and scores come from the same pure scoring function the worker uses.
"""

import random
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from assetlens.models import District, Membership
from audits import scoring, selectors
from audits.models import Answer, Audit, Score
from products.models import Product
from rubrics.selectors import current_version_for, version_structure

LOAD_PASSWORD = "assetlens-load"
SLUG_PREFIX = "load-"
LEADERS_PER_DISTRICT = 5
BATCH = 5000
COPY = [
    "Every learner brings stories, languages and questions; our lessons start from them.",
    "Families can reply in their home language, and every reply is shown to the teacher.",
    "Don't let your child fall behind: struggling readers lose ground every week.",
    "Celebrate each milestone with a note home that names what the learner did well.",
]
STATUS_MIX = [(Audit.Status.SCORED, 0.7), (Audit.Status.DRAFT, 0.2), (Audit.Status.SUBMITTED, 0.05),
              (Audit.Status.SCORING_FAILED, 0.05)]


class Command(BaseCommand):
    help = "Generate districts, users, products, audits (with answers and scores) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--districts", type=int, default=20)
        parser.add_argument("--products", type=int, default=2000, help="in total, spread over the districts")
        parser.add_argument("--audits", type=int, default=20000, help="in total, spread over the products")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--replace", action="store_true", help="delete an earlier load data set first")

    def handle(self, *args, districts, products, audits, seed, replace, **options):
        if districts < 1 or products < districts or audits < 0:
            raise CommandError("Use at least one district and at least one product per district.")
        started = time.monotonic()
        rng = random.Random(seed)
        with transaction.atomic():
            existing = District.objects.filter(slug__startswith=SLUG_PREFIX)
            if existing.exists():
                if not replace:
                    raise CommandError("Load data exists already; add --replace to generate it afresh.")
                Audit.objects.filter(district__in=existing).delete()
                get_user_model().objects.filter(membership__district__in=existing).delete()
                existing.delete()
            self.generate(rng, districts, products, audits)
        if connection.vendor == "postgresql":
            # Fresh statistics, as autovacuum would give a live site within minutes: without them the planner
            # guesses a few hundred rows per district and picks plans no district would ever see.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"Generated {districts} districts, {products} products, {audits} audits "
            f"({Answer.objects.filter(audit__district__slug__startswith=SLUG_PREFIX).count()} answers) "
            f"in {elapsed:.1f}s. Users: load-NN-leader-1 … (password {LOAD_PASSWORD})."))

    def generate(self, rng, n_districts, n_products, n_audits):
        User = get_user_model()
        password = make_password(LOAD_PASSWORD)  # hashed once, shared: hashing 140 times would dominate
        district_rows = District.objects.bulk_create(
            District(name=f"Load district {i:02d}", slug=f"{SLUG_PREFIX}{i:02d}") for i in range(1, n_districts + 1))
        roles = [(f"leader-{n}", Membership.Role.LEADER) for n in range(1, LEADERS_PER_DISTRICT + 1)]
        roles += [("committee", Membership.Role.COMMITTEE_MEMBER), ("admin", Membership.Role.DISTRICT_ADMIN)]
        users = User.objects.bulk_create(
            User(username=f"{d.slug}-{name}", password=password, first_name=name.title())
            for d in district_rows for name, _ in roles)
        Membership.objects.bulk_create(
            Membership(user=user, district=district_rows[i // len(roles)], role=roles[i % len(roles)][1])
            for i, user in enumerate(users))
        leaders = {d.id: users[i * len(roles):i * len(roles) + LEADERS_PER_DISTRICT]
                   for i, d in enumerate(district_rows)}

        product_rows = Product.objects.bulk_create((
            Product(district=district_rows[i % n_districts], name=f"Product {i:05d}", vendor=f"Vendor {i % 97:02d}",
                    website=f"https://product-{i}.example", purpose="Practice and family connection.",
                    grade_bands=rng.sample(["k2", "3-5", "6-8", "9-12"], 2),
                    marketing_copy=" ".join(rng.sample(COPY, 2)))
            for i in range(n_products)), batch_size=BATCH)

        version = current_version_for(district_rows[0])
        criteria = version_structure(version)
        criterion_specs, question_specs = selectors.scoring_specs(criteria)
        questions = [q for c in criteria for q in c.questions.all()]
        statuses, weights = zip(*STATUS_MIX, strict=True)
        now = timezone.now()
        drafted = set()  # a person has one draft of a product at most: a second one is generated scored
        for start in range(0, n_audits, BATCH):
            batch = []
            for i in range(start, min(start + BATCH, n_audits)):
                product = product_rows[i % n_products]
                status = rng.choices(statuses, weights)[0]
                when = now - timedelta(minutes=rng.randint(0, 60 * 24 * 365))
                auditor = rng.choice(leaders[product.district_id])
                if status == Audit.Status.DRAFT:
                    if (product.pk, auditor.pk) in drafted:
                        status = Audit.Status.SCORED
                    drafted.add((product.pk, auditor.pk))
                batch.append(Audit(
                    district_id=product.district_id, product=product, rubric_version=version,
                    auditor=auditor, status=status, revision=rng.randint(1, 30),
                    submitted_at=None if status == Audit.Status.DRAFT else when,
                    scored_at=when if status == Audit.Status.SCORED else None,
                    failure_message="The scoring worker could not reach the database in time."
                    if status == Audit.Status.SCORING_FAILED else ""))
            batch = Audit.objects.bulk_create(batch)
            # auto_now fields were set to now by bulk_create; spread them out like real use.
            answers, scores = [], []
            for audit in batch:
                levels = {q.id: rng.choice([0, 1, 2, 3, 3, 4, 4]) for q in questions}
                not_applicable = {q.id for q in questions if q.allow_not_applicable and rng.random() < 0.05}
                answered = questions
                if audit.status == Audit.Status.DRAFT:
                    answered = questions[: rng.randint(0, len(questions))]
                answers.extend(
                    Answer(audit=audit, question=q, level=None if q.id in not_applicable else levels[q.id],
                           not_applicable=q.id in not_applicable, notes=f"Seen on the product page, item {q.order}.",
                           evidence_url="https://product.example/evidence" if rng.random() < 0.3 else "")
                    for q in answered)
                if audit.status == Audit.Status.SCORED:
                    result = scoring.score(criterion_specs, question_specs, [
                        scoring.AnswerInput(q.id, None if q.id in not_applicable else levels[q.id],
                                            q.id in not_applicable) for q in answered])
                    scores.append(Score(audit=audit, overall=result.overall, details=result.as_dict()))
            Answer.objects.bulk_create(answers, batch_size=BATCH)
            Score.objects.bulk_create(scores, batch_size=BATCH)
            for audit in batch:
                audit.updated_at = audit.submitted_at or now - timedelta(minutes=rng.randint(0, 60 * 24 * 30))
            Audit.objects.bulk_update(batch, ["updated_at"], batch_size=BATCH)
            self.stdout.write(f"  {min(start + BATCH, n_audits)} / {n_audits} audits")
