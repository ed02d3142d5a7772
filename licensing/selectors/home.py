"""The home page: one person's work ahead (a manager's: the team's), in five queries
whatever the amount of data.

Each list comes with its total from the same query (a window count), reads through an
index (expiry date, status, the actor's audit rows) and is cut to a few lines: the page
links to where the rest is dealt with.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from licensing.models import (
    AssignmentKind,
    AssignmentStatus,
    AuditAction,
    AuditEvent,
    Customer,
    LicenseAssignment,
)
from licensing.selectors import approvals

EXPIRY_DAYS = 30  # "expiring soon", as the badge and the reports say
DEMO_DAYS_AHEAD = 7  # demos ending within a week ...
DEMO_DAYS_AFTER = 14  # ... or ended in the last two, with no paid licence since
LIST_LIMIT = 15
COUNT_CAP = 99  # more shows as "99+"
FEW_CUSTOMERS = 2000  # see _owned_by
ACTIONS_LIMIT = 10
# Signing in and out is not work; the reminders are the portal's, not a person's.
NOT_WORK = (
    AuditAction.LOGIN,
    AuditAction.LOGOUT,
    AuditAction.LOGIN_FAILED,
    AuditAction.LOGIN_LOCKED,
    AuditAction.REMINDER_SEND,
)
# A paid licence asked for after a demo (whatever came of it) means someone followed it up.
FOLLOWED_UP = (AssignmentStatus.ACTIVE, AssignmentStatus.PENDING, AssignmentStatus.UNKNOWN)


@dataclass(frozen=True)
class Section:
    count: int  # all the lines there are, up to COUNT_CAP + 1
    items: list  # the first few of them

    @property
    def total(self) -> str:
        """The count as a page shows it: "99+" past the cap."""
        return f"{COUNT_CAP}+" if self.count > COUNT_CAP else str(self.count)

    @property
    def has_more(self) -> bool:
        return self.count > len(self.items)


@dataclass(frozen=True)
class Action:
    event: AuditEvent
    customer: Customer | None  # when the row names a customer still registered


@dataclass(frozen=True)
class Home:
    team: bool  # a manager's view of everyone's work
    today: date
    expiring: Section  # paid licences expiring within EXPIRY_DAYS
    demos: Section  # demos to follow up
    waiting: Section  # outcomes unknown (or stuck pending): a manager must check
    actions: list[Action]
    # Approvals waiting for this person: the spending-limits feature fills this slot.
    approvals: Section = field(default_factory=lambda: Section(count=0, items=[]))

    @property
    def decisions(self) -> str:
        """How many wait for a decision (approvals and unknown outcomes), as shown."""
        count = self.waiting.count + self.approvals.count
        return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)

    @property
    def is_empty(self) -> bool:
        sections = (self.expiring, self.demos, self.waiting, self.approvals)
        return not any(s.count for s in sections) and not self.actions


def home(*, user, team: bool, today: date | None = None) -> Home:
    """What `user` has to deal with; with `team`, what everyone has (managers)."""
    today = today or timezone.localdate()
    mine = Q() if team else _owned_by(user)
    related = ("customer", "customer__owner", "created_by")

    expiring = LicenseAssignment.objects.filter(
        mine,
        kind=AssignmentKind.PAID,
        status=AssignmentStatus.ACTIVE,
        expiry_date__gte=today,
        expiry_date__lte=today + timedelta(days=EXPIRY_DAYS),
    ).order_by("expiry_date", "id")

    demos = demos_unfollowed(
        start=today - timedelta(days=DEMO_DAYS_AFTER), end=today + timedelta(days=DEMO_DAYS_AHEAD)
    ).filter(mine)
    involved = Q() if team else Q(created_by=user) | mine
    waiting = unresolved().filter(involved)

    page = Home(
        team=team,
        today=today,
        expiring=_section(expiring.select_related(*related)),
        demos=_section(demos.select_related(*related)),
        waiting=_section(waiting.select_related(*related)),
        actions=_actions(user=user, team=team),
        approvals=_section(approvals.approvals_for_home(user=user, team=team)),
    )
    for assignment in page.expiring.items + page.demos.items:
        # "in 3 days", "2 days ago"
        assignment.days_left = (assignment.expiry_date - today).days
        assignment.days_ago = max(0, -assignment.days_left)
    return page


def demos_unfollowed(*, start: date, end: date) -> QuerySet:
    """Active demos ending from `start` to `end` (both included) with no paid licence asked
    for since the demo, soonest first."""
    paid_since = LicenseAssignment.objects.filter(
        customer_id=OuterRef("customer_id"),
        kind=AssignmentKind.PAID,
        status__in=FOLLOWED_UP,
        created_at__gte=OuterRef("created_at"),
    )
    return (
        LicenseAssignment.objects.filter(
            kind=AssignmentKind.DEMO,
            status=AssignmentStatus.ACTIVE,
            expiry_date__gte=start,
            expiry_date__lte=end,
        )
        .filter(~Exists(paid_since))
        .order_by("expiry_date", "id")
    )


def unresolved() -> QuerySet:
    """Assignments whose outcome a manager must establish: unknown, or pending for longer
    than any vendor call takes (left by a crash), oldest first."""
    stale_before = timezone.now() - timedelta(seconds=settings.FLASHSTART_TIMEOUT * 4 + 60)
    # The plain IN on status comes first so that the planners read the status index.
    return LicenseAssignment.objects.filter(
        Q(status__in=(AssignmentStatus.UNKNOWN, AssignmentStatus.PENDING)),
        Q(status=AssignmentStatus.UNKNOWN) | Q(created_at__lt=stale_before),
    ).order_by("created_at", "id")


def _owned_by(user) -> Q:
    """Assignments of `user`'s customers, in the form the database reads fastest.

    For someone with few customers, starting from them is cheapest, but the planner
    (seeing only the average per owner) would walk the whole expiry window instead; for
    someone with many, walking the window in date order finds the first lines at once.
    One capped read of their customers' ids tells which.
    """
    owned = Customer.objects.filter(owner=user).order_by().values_list("pk", flat=True)
    few = list(owned[: FEW_CUSTOMERS + 1])
    if len(few) <= FEW_CUSTOMERS:
        # Their ids, not a subquery: both planners then know how few there are.
        return Q(customer_id__in=few)
    return Q(customer__owner=user)


def _section(queryset: QuerySet, limit: int = LIST_LIMIT) -> Section:
    """The first `limit` rows, and how many there are up to COUNT_CAP (two queries).

    A capped count stops reading at the cap: the index scan behind it ends early for
    someone with much to do, and for someone with little the planner starts from their
    few customers. An exact count of a team's thousands would read them all.
    """
    count = queryset.order_by()[: COUNT_CAP + 1].count()
    return Section(count=count, items=list(queryset[:limit]) if count else [])


def _actions(*, user, team: bool) -> list[Action]:
    events = AuditEvent.objects.exclude(action__in=NOT_WORK)
    if team:
        events = events.exclude(actor_username="")
    else:
        # The username's index (username, -seq) reads just the last rows: the trail keeps
        # a copy of the username, as its own page filters by.
        events = events.filter(actor_username=user.get_username())
    rows = list(events.defer("sent", "answer").order_by("-seq")[:ACTIONS_LIMIT])
    codes = {row.customer_code for row in rows if row.customer_code is not None}
    customers = Customer.objects.in_bulk(codes, field_name="customer_code") if codes else {}
    return [Action(event=row, customer=customers.get(row.customer_code)) for row in rows]
