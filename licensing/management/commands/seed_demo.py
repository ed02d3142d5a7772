"""manage.py seed_demo: plausible customers, assignments and audit rows, at any scale.

Bulk inserts in batches (one transaction per batch), so 100,000 customers, 300,000
assignments and 1,000,000 audit rows load in minutes on SQLite or PostgreSQL. Audit rows
are chained in Python, in order, onto the chain head (locked for each batch, updated in
the same transaction), so `manage.py verify_audit` passes afterwards — also when the
portal writes audit rows between two batches.
"""

import contextlib
import json
import random
import time
import uuid
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from licensing import roles, services
from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    AuditAction,
    AuditChainHead,
    AuditEvent,
    AuditOutcome,
    Customer,
    Language,
    LicenseAssignment,
    Renewal,
)

FIRST_SEED_CODE = 50_000_000
PRICES = [Decimal(p) for p in ("12.50", "24.00", "49.90", "99.00", "199.00", "480.00")]
CURRENCIES = ["EUR"] * 18 + ["USD", "CHF"]
LICENCES = [
    ("FS-HOME-1Y", "FlashStart Home, 1 year"),
    ("FS-BIZ-1Y", "FlashStart Business, 1 year"),
    ("FS-BIZ-3Y", "FlashStart Business, 3 years"),
    ("FS-EDU-1Y", "FlashStart Education, 1 year"),
    ("FS-MSP-1Y", "FlashStart MSP, 1 year"),
]
WORDS = [
    "Alpine",
    "Blue",
    "Bright",
    "Central",
    "Civic",
    "Delta",
    "Eastern",
    "Forte",
    "Green",
    "Harbour",
    "Iris",
    "Jade",
    "Lago",
    "Marina",
    "Nord",
    "Olive",
    "Prima",
    "Quarzo",
    "Riva",
    "Sole",
    "Terra",
    "Union",
    "Valle",
    "West",
    "Zenit",
]
TRADES = [
    "Dental",
    "Logistics",
    "Hotel",
    "School",
    "Studio",
    "Pharmacy",
    "Consulting",
    "Engineering",
    "Foods",
    "Motors",
    "Print",
    "Legal",
    "Media",
    "Clinic",
    "Library",
    "Travel",
    "Bakery",
    "Systems",
    "Energy",
    "Textiles",
]
FORMS = ["Srl", "SpA", "Snc", "GmbH", "SL", "Ltd", "SA", "& Co."]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36",
]
# (action, outcome, weight, vendor endpoint)
EVENT_MIX = [
    (AuditAction.LOGIN, AuditOutcome.SUCCESS, 30, ""),
    (AuditAction.LOGOUT, AuditOutcome.SUCCESS, 12, ""),
    (AuditAction.LOGIN_FAILED, AuditOutcome.DENIED, 3, ""),
    (AuditAction.LICENSE_ASSIGN, AuditOutcome.SUCCESS, 18, "assign"),
    (AuditAction.LICENSE_ASSIGN, AuditOutcome.FAILED, 3, "assign"),
    (AuditAction.LICENSE_ASSIGN, AuditOutcome.INVALID, 2, ""),
    (AuditAction.LICENSE_ASSIGN, AuditOutcome.UNKNOWN, 1, "assign"),
    (AuditAction.DEMO_ASSIGN, AuditOutcome.SUCCESS, 8, "demo"),
    (AuditAction.RENEWAL_SUSPEND, AuditOutcome.SUCCESS, 4, "suspend"),
    (AuditAction.RENEWAL_RESUME, AuditOutcome.SUCCESS, 2, "enable"),
    (AuditAction.CUSTOMER_REGISTER, AuditOutcome.SUCCESS, 6, "available"),
    (AuditAction.DASHBOARD_OPEN, AuditOutcome.SUCCESS, 8, "auth_token"),
    (AuditAction.ACCESS_DENIED, AuditOutcome.DENIED, 1, ""),
    (AuditAction.ASSIGNMENT_RESOLVE, AuditOutcome.SUCCESS, 1, ""),
    (AuditAction.AUDIT_EXPORT, AuditOutcome.SUCCESS, 1, ""),
]
VENDOR_STATUS = {
    AuditOutcome.SUCCESS: 200,
    AuditOutcome.FAILED: 500,
    AuditOutcome.UNKNOWN: None,
}


class Command(BaseCommand):
    help = "Load demo data at scale: customers, licence assignments and chained audit rows."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=1000)
        parser.add_argument("--assignments", type=int, default=3000)
        parser.add_argument("--events", type=int, default=10000)
        parser.add_argument("--staff", type=int, default=8, help="demo staff accounts to use")
        parser.add_argument("--days", type=int, default=365, help="spread rows over this many days")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=None, help="random seed (repeatable data)")

    def handle(self, *args, **options):
        for name in ("customers", "assignments", "events"):
            if options[name] < 0:
                raise CommandError(f"--{name} cannot be negative.")
        if options["assignments"] and not (options["customers"] or Customer.objects.exists()):
            raise CommandError("Assignments need customers: pass --customers too.")
        self.rng = random.Random(options["seed"])
        self.batch = max(100, options["batch_size"])
        self.now = timezone.now()
        self.span = timedelta(days=max(1, options["days"]))
        self.staff = self._staff(options["staff"])

        started = time.monotonic()
        with _roomy_cache():
            self._step("customers", options["customers"], self._customers)
            self._step("assignments", options["assignments"], self._assignments)
            self._step("audit events", options["events"], self._events)
        # Rows were inserted in bulk, past the services: build the Reports roll-up from them.
        services.rollup_rebuild()
        self._analyse()
        self.stdout.write(
            self.style.SUCCESS(f"Done in {time.monotonic() - started:.0f} s.")
            + " Check the chain with: manage.py verify_audit"
        )

    def _step(self, label, count, load):
        if not count:
            return
        started = time.monotonic()
        load(count)
        elapsed = time.monotonic() - started
        rate = count / elapsed if elapsed else count
        self.stdout.write(f"{count:>10,} {label} in {elapsed:6.1f} s ({rate:,.0f}/s)")

    def _when(self, fraction: float):
        """A moment `fraction` (0..1) of the way from the start of the span to now."""
        return self.now - self.span * (1 - fraction)

    def _analyse(self) -> None:
        # Fresh planner statistics after a bulk load, as a DBA would (PostgreSQL's
        # autovacuum would get there too, SQLite never does by itself): without them
        # SQLite picks the status index for "expiring soon" and scans every active row.
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(f"Planner statistics refreshed in {time.monotonic() - started:.1f} s")

    # --- staff ------------------------------------------------------------------------

    def _staff(self, count: int) -> list:
        User = get_user_model()
        sales = Group.objects.get_or_create(name=roles.SALES)[0]
        users = []
        for i in range(1, max(1, count) + 1):
            user, created = User.objects.get_or_create(
                username=f"demo-sales-{i:02d}",
                defaults={"email": f"demo-sales-{i:02d}@example.com"},  # for the reminders
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.groups.add(sales)
            users.append(user)
        return users

    # --- customers --------------------------------------------------------------------

    def _customers(self, count: int) -> None:
        top = Customer.objects.aggregate(top=Max("customer_code"))["top"] or 0
        first = max(top, FIRST_SEED_CODE - 1) + 1
        rng, languages = self.rng, Language.values
        for start in range(0, count, self.batch):
            rows = []
            for i in range(start, min(start + self.batch, count)):
                code = first + i
                name = f"{rng.choice(WORDS)} {rng.choice(TRADES)} {rng.choice(FORMS)}"
                rows.append(
                    Customer(
                        customer_code=code,
                        name=name,
                        email=f"admin@c{code}.example.com",
                        language=rng.choice(languages),
                        created_by=(registrar := rng.choice(self.staff)),
                        owner=registrar,  # who registers a customer owns it
                    )
                )
            with transaction.atomic():
                _insert(Customer, rows)

    # --- assignments ------------------------------------------------------------------

    def _assignments(self, count: int) -> None:
        rng = self.rng
        customer_ids = list(Customer.objects.values_list("id", flat=True))
        run = uuid.uuid4().hex[:8]
        for start in range(0, count, self.batch):
            rows = []
            for i in range(start, min(start + self.batch, count)):
                created = self._when(rng.random())
                rows.append(self._assignment(rng, rng.choice(customer_ids), created, f"{run}-{i}"))
            with transaction.atomic():
                _insert(LicenseAssignment, rows)

    def _assignment(self, rng, customer_id, created, serial) -> LicenseAssignment:
        paid = rng.random() < 0.7
        roll = rng.random()
        if roll < 0.86:
            status = AssignmentStatus.ACTIVE
        elif roll < 0.96:
            status = AssignmentStatus.FAILED
        elif roll < 0.99:
            status = AssignmentStatus.UNKNOWN
        else:
            status = AssignmentStatus.PENDING
        code, name = rng.choice(LICENCES) if paid else ("demo", "Demo")
        row = LicenseAssignment(
            customer_id=customer_id,
            kind=AssignmentKind.PAID if paid else AssignmentKind.DEMO,
            license_code=code,
            license_name=name,
            license_info=rng.choice(["Headquarter", "Branch", "Lab", "Office 2"]),
            status=status,
            currency=rng.choice(CURRENCIES) if paid else "",
            created_by=rng.choice(self.staff),
            created_at=created,
            settled_at=None if status == AssignmentStatus.PENDING else created,
        )
        if paid:
            row.quoted_amount = rng.choice(PRICES)
        if status == AssignmentStatus.ACTIVE:
            row.license_id = f"SEED-{serial}"
            row.start_date = timezone.localtime(created).date()
            row.expiry_date = row.start_date + timedelta(days=365 if paid else 30)
            if paid:
                row.amount = row.quoted_amount
                if rng.random() < 0.12:
                    row.renewal = Renewal.SUSPENDED
        elif status == AssignmentStatus.FAILED:
            row.failure_message = "FlashStart refused: insufficient credit."
        return row

    # --- audit events -----------------------------------------------------------------

    def _events(self, count: int) -> None:
        rng = self.rng
        codes = list(Customer.objects.values_list("customer_code", flat=True)[:200_000])
        assignment_ids = list(
            LicenseAssignment.objects.order_by("-id").values_list("id", flat=True)[:300_000]
        )
        mix = [m[:2] + (m[3],) for m in EVENT_MIX]
        weights = [m[2] for m in EVENT_MIX]
        step = 1 / count
        for start in range(0, count, self.batch):
            size = min(self.batch, count - start)
            picks = rng.choices(mix, weights=weights, k=size)
            rows = [
                self._event(rng, start + j, step, pick, codes, assignment_ids)
                for j, pick in enumerate(picks)
            ]
            with transaction.atomic():
                head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
                seq, prev = head.last_seq, head.last_hash
                for event in rows:
                    seq += 1
                    event.seq, event.prev_hash = seq, prev
                    event.hash = prev = event.compute_hash()
                _insert(AuditEvent, rows)
                head.last_seq, head.last_hash = seq, prev
                head.save(update_fields=["last_seq", "last_hash"])

    def _event(self, rng, i, step, pick, codes, assignment_ids) -> AuditEvent:
        action, outcome, endpoint = pick
        user = rng.choice(self.staff)
        event = AuditEvent(
            created_at=self._when(i * step),
            actor_id=user.pk,
            actor_username=user.username,
            ip=f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            user_agent=rng.choice(AGENTS),
            request_id=f"{rng.getrandbits(128):032x}",
            action=action,
            outcome=outcome,
            message=f"{AuditAction(action).label}: {AuditOutcome(outcome).label.lower()}.",
        )
        if action in (AuditAction.LOGIN, AuditAction.LOGOUT, AuditAction.LOGIN_FAILED):
            return event
        if codes:
            event.customer_code = rng.choice(codes)
        if endpoint:
            event.endpoint = endpoint
            event.http_status = VENDOR_STATUS.get(outcome, 200)
            event.duration_ms = rng.randrange(80, 900)
            event.sent = json.dumps({"customer_code": event.customer_code}, sort_keys=True)
            event.answer = '{"status": "ok"}' if event.http_status == 200 else ""
        if assignment_ids and action in (
            AuditAction.LICENSE_ASSIGN,
            AuditAction.DEMO_ASSIGN,
            AuditAction.RENEWAL_SUSPEND,
            AuditAction.RENEWAL_RESUME,
            AuditAction.ASSIGNMENT_RESOLVE,
        ):
            event.assignment_id = rng.choice(assignment_ids)
        return event


@contextlib.contextmanager
def _roomy_cache():
    """SQLite: a 256 MiB page cache on this connection while loading (the unique hash
    index takes rows in random order, and a small cache turns that into disk reads at a
    million rows), the connection's own size after."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


def _insert(model, objs) -> None:
    """INSERT `objs` with one prepared statement run many times (executemany).

    bulk_create compiles a multi-row statement per 999 parameters on SQLite, which costs
    more than the insert itself at this scale. Values are prepared by each field exactly
    as save() would (`pre_save`, `get_db_prep_save`).
    """
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    quote = connection.ops.quote_name
    # Only model metadata (quoted names) goes into the text; values travel as parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    params = [
        [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
