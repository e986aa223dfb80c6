"""The data team's home: the matching, programme and returns work waiting, as counts with links (no personal data).

Each area is shown only with its permission (`policy`); the dashboard view uses this for anyone who does data
matching (`wants_data_team_home`).
"""

import dataclasses
import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.matching import linkage, review
from earlyhelp.matching import needs as matched_needs
from earlyhelp.matching.models import BatchStatus, ImportBatch, LinkageRun, RunStatus
from earlyhelp.reporting.models import PublishedReturn, ReturnKind
from earlyhelp.reporting.services import returns
from earlyhelp.supporting_families.models import Claim, ClaimStatus
from earlyhelp.supporting_families.services import shortlist, sustainment


@dataclasses.dataclass(frozen=True)
class Work:
    key: str
    label: str
    count: int
    link_text: str
    url: str


@dataclasses.dataclass(frozen=True)
class Area:
    heading: str
    home: str  # the area's own home page
    items: list[Work]
    listed: tuple[str, ...] = ()  # what is waiting, by name (the returns due)


def wants_data_team_home(user) -> bool:
    return policy.has_permission(user, policy.Permission.DO_DATA_MATCHING)


def _matching() -> list[Work]:
    queue = reverse("matching:queue")
    return [
        Work("files", "Partner files waiting to be checked",
             ImportBatch.objects.filter(status__in=[BatchStatus.QUEUED, BatchStatus.VALIDATING]).count(),
             "See the imports", reverse("matching:batches")),
        Work("runs", "Imported files waiting for a linkage run", linkage.linkable_batches().count(),
             "Run matching", reverse("matching:runs")),
        Work("running", "Linkage runs in progress",
             LinkageRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).count(),
             "See the runs", reverse("matching:runs")),
        Work("pairs", "Possible matches to review", review.pending_candidates().count(), "Review matches", queue),
        Work("unmatched", "Records that matched nobody", review.unmatched_records().count(), "See them",
             reverse("matching:unmatched")),
        Work("needs", "Needs found in partner data, to confirm", matched_needs.pending_suggestions().count(),
             "Confirm needs", reverse("matching:needs")),
    ]


def _programme(today) -> list[Work]:
    due = sustainment.counts(today=today)
    return [
        Work("shortlist", "Families proposed for the programme, waiting for a decision",
             shortlist.pending_proposals().values("household_id").distinct().count(), "See the shortlist",
             reverse("programme:shortlist")),
        Work("sustainment", "Sustainment checks due or overdue", due["overdue"] + due["due"],
             "See the sustainment checks", reverse("programme:sustainment")),
        Work("claims", "Claims waiting for a decision", Claim.objects.filter(status=ClaimStatus.PROPOSED).count(),
             "See the claims", reverse("programme:claim-batches")),
    ]


def returns_due(today: datetime.date) -> list[str]:
    """The returns for the last finished quarter and half-year that have not been made yet, by name."""
    quarter = returns.quarter_of(returns.quarter_period(*returns.quarter_of(today))[0] - datetime.timedelta(days=1))
    half = returns.half_of(returns.half_year_period(*returns.half_of(today))[0] - datetime.timedelta(days=1))
    wanted = [(ReturnKind.QUARTERLY, returns.quarter_period(*quarter),
               f"Quarterly progress return, quarter {quarter[1]} of {quarter[0]} to {quarter[0] + 1}"),
              (ReturnKind.FAMILY_PROGRESS, returns.half_year_period(*half),
               f"Family progress data, half {half[1]} of {half[0]} to {half[0] + 1}")]
    made = Q()
    for kind, (start, end), _ in wanted:
        made |= Q(kind=kind, period_start=start, period_end=end)
    done = set(PublishedReturn.objects.filter(made).values_list("kind", "period_start"))
    return [name for kind, (start, _), name in wanted if (kind, start) not in done]


def _returns(today) -> Area:
    due = returns_due(today)
    return Area("Returns and research", reverse("reporting:home"), [
        Work("returns", "Returns due to government", len(due), "Make a return", reverse("reporting:home"))],
        tuple(due))


def data_team_home(user, *, today: datetime.date | None = None) -> dict:
    """The areas of work this user may do, each with its counts."""
    today = today or timezone.localdate()
    areas = []
    if policy.has_permission(user, policy.Permission.DO_DATA_MATCHING):
        areas.append(Area("Data matching", reverse("matching:home"), _matching()))
    if policy.has_permission(user, policy.Permission.RUN_PROGRAMME):
        areas.append(Area("Supporting Families", reverse("programme:home"), _programme(today)))
    if policy.has_permission(user, policy.Permission.MAKE_RETURNS):
        areas.append(_returns(today))
    return {"areas": areas,
            "see_performance": policy.has_permission(user, policy.Permission.SEE_ALL_PERFORMANCE)}
