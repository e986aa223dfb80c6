"""Performance for managers (their own team) and the data team (every team).

- Assessment timeliness: assessments completed in the period, started to completed in whole days, against
  `settings.EARLYHELP_ASSESSMENT_TARGET_DAYS` (within the target: at most that many days), by team and by month.
- Open families by stage (see `returns.stage_on`) and by team, on the last day of the period.
- Reviews overdue on the last day of the period: due before it, not held by then, on an episode still open.
- Outcomes achieved by headline: needs met, on episodes closed in the period.
- Re-referrals: contacts received in the period about a family whose previous episode closed in the 12 months
  before the contact.

Who sees what comes from the permission table: the data team (`SEE_ALL_PERFORMANCE`) every team, a manager
(`SEE_TEAM_PERFORMANCE`) the teams they manage (`policy.teams_managed_by`). A manager's own team's figures on screen
stay within the team and are shown as counted; the data team's council-wide tables and every download leave the
team, so they go through disclosure control (`_protect.protect_tables`). Restricted families (Article 18) are left out.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.access.restrictions import without_restricted
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.casework.models import Assessment, Contact, Episode, EpisodeStatus, Review
from earlyhelp.organisations.models import Team
from earlyhelp.programme.models import Need, NeedStatus
from earlyhelp.records.calendar import add_months
from earlyhelp.records.text import NeutralisedWriter
from earlyhelp.ui.forms import MONTH_NAMES, format_date, today

from ..models import PublishedReturn, ReturnKind
from . import returns
from ._protect import (
    Publication,
    ShownTable,
    TableSpec,
    count_tables,
    protect_tables,
    shown_from_rows,
    tables_as_published,
)

PURPOSE = Purpose.STATISTICS
OPEN_STAGES = returns.STAGES[:-1]
RE_REFERRAL, NOT_RE_REFERRAL = "Re-referral within 12 months", "Not a re-referral"
MAX_MONTHS = 36

FROM_AFTER_TO = "The start of the period must be the same as or before its end"
TO_IN_FUTURE = "The end of the period must be today or in the past"
TOO_LONG = f"The period can be at most {MAX_MONTHS} months long"
WHOLE_QUARTER = ("Figures for every team are published for a whole financial quarter that has ended: choose its first and "
                 "last day (for example 1 April 2025 to 30 June 2025)")

TIMELINESS_BY_TEAM = "Assessments completed, by team"
TIMELINESS_BY_MONTH = "Assessments completed, by month"
OPEN_BY_STAGE = "Open families by stage"
OPEN_BY_STAGE_AND_TEAM = "Open families by stage and team"
OVERDUE_BY_TEAM = "Reviews overdue, by team"
OUTCOMES_BY_HEADLINE = "Outcomes achieved by headline"
RE_REFERRALS_BY_TEAM = "Contacts by team: re-referrals within 12 months"
# The one-way tables drawn as charts beside their table.
CHARTED = (OPEN_BY_STAGE, OVERDUE_BY_TEAM, OUTCOMES_BY_HEADLINE)
# Figures for every team leave the teams, so they are published like a return: for a whole financial quarter, once
# (`PublishedReturn`, kind performance), so that no two publications can be subtracted from each other. Families by
# stage and team and outcomes by headline are not among them: the quarterly return publishes those, protected
# together, and two products showing the same figures protected apart could be combined.
COUNCIL_WIDE = (TIMELINESS_BY_TEAM, TIMELINESS_BY_MONTH, OVERDUE_BY_TEAM, RE_REFERRALS_BY_TEAM)


@dataclass(frozen=True)
class Scope:
    teams: tuple  # Team instances, in name order
    council_wide: bool

    @property
    def team_ids(self):
        return [team.pk for team in self.teams]


@dataclass(frozen=True)
class Report:
    scope: Scope
    start: datetime.date
    end: datetime.date
    target_days: int
    tables: list[ShownTable]
    protected: bool
    published_at: datetime.datetime | None = None  # when figures for every team were first published

    def table(self, title) -> ShownTable:
        return next(table for table in self.tables if table.title == title)


def scope_of(user) -> Scope:
    """The teams a user's performance pages cover. PermissionDenied when they may see none."""
    if policy.has_permission(user, policy.Permission.SEE_ALL_PERFORMANCE):
        return Scope(teams=tuple(Team.objects.order_by("name")), council_wide=True)
    if policy.has_permission(user, policy.Permission.SEE_TEAM_PERFORMANCE):
        teams = tuple(policy.teams_managed_by(user).order_by("name"))
        if teams:
            return Scope(teams=teams, council_wide=False)
    raise PermissionDenied("You may not see performance reports")


def default_period(scope: Scope | None = None) -> tuple[datetime.date, datetime.date]:
    """The last 12 months for a team; for every team, the last financial quarter that has ended."""
    end = today()
    if scope is not None and scope.council_wide:
        return returns.quarter_period(*returns.quarter_of(returns.quarter_period(*returns.quarter_of(end))[0]
                                                          - datetime.timedelta(days=1)))
    return add_months(end, -12) + datetime.timedelta(days=1), end


def clean_period(start, end, *, whole_quarter: bool = False) -> tuple[datetime.date, datetime.date]:
    errors = {}
    if whole_quarter and ((start, end) != returns.quarter_period(*returns.quarter_of(start)) or end >= today()):
        raise ValidationError({"start": WHOLE_QUARTER})
    if end > today():
        errors["end"] = TO_IN_FUTURE
    if start > end:
        errors["start"] = FROM_AFTER_TO
    elif add_months(start, MAX_MONTHS) <= end:
        errors["start"] = TOO_LONG
    if errors:
        raise ValidationError(errors)
    return start, end


def _months(start, end) -> list[str]:
    labels, day = [], start.replace(day=1)
    while day <= end:
        labels.append(_month_label(day))
        day = add_months(day, 1)
    return labels


def _month_label(day) -> str:
    return f"{MONTH_NAMES[day.month - 1]} {day.year}"


def _timeliness_labels(target):
    return f"Within {target} days", f"Over {target} days"


def publications(scope: Scope, start, end, target: int) -> list[Publication]:
    team_names = {team.pk: team.name for team in scope.teams}
    teams = list(team_names.values())
    within, over = _timeliness_labels(target)

    assessments = without_restricted(
        Assessment.objects.filter(completed_on__gte=start, completed_on__lte=end, episode__team_id__in=team_names),
        household="episode__household_id").values_list("episode__team_id", "started_on", "completed_on")
    timeliness = [{"team": team_names[team_id], "month": _month_label(completed),
                   "timeliness": within if (completed - started).days <= target else over}
                  for team_id, started, completed in assessments]

    open_episodes = without_restricted(
        returns.episodes_with_stage(end).filter(team_id__in=team_names, opened_on__lte=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end)), household="household_id")
    open_families = [{"stage": returns.stage_on(episode, end), "team": team_names[episode.team_id]}
                     for episode in open_episodes]
    open_families = [record for record in open_families if record["stage"] in OPEN_STAGES]

    overdue = without_restricted(
        Review.objects.filter(episode__team_id__in=team_names, due_on__lt=end, episode__opened_on__lte=end)
        .filter(Q(held_on__isnull=True) | Q(held_on__gt=end))
        .filter(Q(episode__closed_on__isnull=True) | Q(episode__closed_on__gt=end)),
        household="episode__household_id").values_list("episode__team_id", flat=True)

    outcomes = without_restricted(
        Need.objects.filter(status=NeedStatus.MET, episode__team_id__in=team_names,
                            episode__status=EpisodeStatus.CLOSED, episode__closed_on__gte=start,
                            episode__closed_on__lte=end), household="household_id"
    ).values_list("descriptor__area__label", flat=True)

    contacts = without_restricted(
        Contact.objects.filter(team_id__in=team_names, received_at__date__gte=start, received_at__date__lte=end),
        household="household_id").values_list("team_id", "household_id", "received_at")
    closures = {}
    for household_id, closed_on in (Episode.objects.filter(household_id__in={c[1] for c in contacts},
                                                           closed_on__isnull=False)
                                    .values_list("household_id", "closed_on")):
        closures.setdefault(household_id, []).append(closed_on)
    referrals = []
    for team_id, household_id, received_at in contacts:
        received = received_at.date()
        earlier = add_months(received, -12)
        again = any(earlier <= closed < received for closed in closures.get(household_id, ()))
        referrals.append({"team": team_names[team_id], "kind": RE_REFERRAL if again else NOT_RE_REFERRAL})

    return [
        Publication(records=timeliness,
                    dimensions={"team": teams, "month": _months(start, end), "timeliness": (within, over)},
                    tables=[TableSpec(TIMELINESS_BY_TEAM, rows="team", columns="timeliness"),
                            TableSpec(TIMELINESS_BY_MONTH, rows="month", columns="timeliness")]),
        Publication(records=open_families, dimensions={"stage": OPEN_STAGES, "team": teams},
                    tables=[TableSpec(OPEN_BY_STAGE, rows="stage"),
                            TableSpec(OPEN_BY_STAGE_AND_TEAM, rows="stage", columns="team")]),
        Publication(records=[{"team": team_names[team_id]} for team_id in overdue], dimensions={"team": teams},
                    tables=[TableSpec(OVERDUE_BY_TEAM, rows="team")]),
        Publication(records=[{"headline": label} for label in outcomes],
                    dimensions={"headline": returns.headline_labels()},
                    tables=[TableSpec(OUTCOMES_BY_HEADLINE, rows="headline")]),
        Publication(records=referrals, dimensions={"team": teams, "kind": (RE_REFERRAL, NOT_RE_REFERRAL)},
                    tables=[TableSpec(RE_REFERRALS_BY_TEAM, rows="team", columns="kind")]),
    ]


@transaction.atomic
def report(*, by, start, end) -> Report:
    """The performance tables a user may see for a period. A manager's own team's are shown as counted, on screen
    only; figures for every team are for a whole financial quarter, protected and published once: the first look
    publishes them, every later one shows them exactly as published."""
    scope = scope_of(by)
    start, end = clean_period(start, end, whole_quarter=scope.council_wide)
    target = settings.EARLYHELP_ASSESSMENT_TARGET_DAYS
    published_at = None
    if scope.council_wide:
        tables, published_at = _published_council_wide(by=by, scope=scope, start=start, end=end, target=target)
    else:
        tables = [table for publication in publications(scope, start, end, target)
                  for table in count_tables(publication)]
    audit.record(actor=by, action=Action.VIEW, event="performance.view", purpose=PURPOSE,
                 objects=[("organisations.team", pk) for pk in scope.team_ids],
                 metadata={"start": start.isoformat(), "end": end.isoformat(), "protected": scope.council_wide})
    return Report(scope=scope, start=start, end=end, target_days=target, tables=tables, protected=scope.council_wide,
                  published_at=published_at)


def _published_council_wide(*, by, scope, start, end, target):
    published = PublishedReturn.objects.filter(kind=ReturnKind.PERFORMANCE, period_start=start,
                                               period_end=end).first()
    if published is None:
        shown = [table for publication in publications(scope, start, end, target)
                 for table in protect_tables(publication) if table.title in COUNCIL_WIDE]
        tables = tables_as_published(shown)
        published = PublishedReturn.objects.create(kind=ReturnKind.PERFORMANCE, period_start=start, period_end=end,
                                                   tables=tables, titles=list(tables), produced_by=by,
                                                   produced_at=timezone.now())
        audit.record(actor=by, action=Action.CREATE, event="performance.publish", purpose=PURPOSE,
                     objects=[published], metadata={"start": start.isoformat(), "end": end.isoformat()})
    return [shown_from_rows(title, rows) for title, rows in published.ordered_tables()], published.produced_at


def percent_within(table: ShownTable) -> list[tuple[str, str]]:
    """Per row, the share within the target, worked out only from figures shown (never from a `c`)."""
    shares = []
    for label, cells, total in zip(table.row_labels, table.cells, table.row_totals):
        within = cells[0]
        if isinstance(within, int) and isinstance(total, int):
            shares.append((label, f"{round(100 * within / total)}%" if total else "–"))
        else:
            shares.append((label, "c"))
    return shares


def report_csv(*, by, start, end) -> tuple[str, bytes]:
    """The published figures for every team as CSV (a download leaves the team, so only published figures go)."""
    if not scope_of(by).council_wide:
        raise PermissionDenied("Only figures published for every team can be downloaded")
    built = report(by=by, start=start, end=end)
    out = io.StringIO()
    writer = NeutralisedWriter(csv.writer(out, lineterminator="\r\n"))
    writer.writerow(["Performance", f"{format_date(built.start)} to {format_date(built.end)}"])
    writer.writerow(["Teams", "; ".join(team.name for team in built.scope.teams)])
    writer.writerow(["Small numbers", "Counts from 1 to the council's threshold are shown as c, with other figures "
                                      "hidden so that none can be worked out"])
    for table in built.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerows(table.as_rows())
    audit.record(actor=by, action=Action.EXPORT, event="performance.download", purpose=PURPOSE,
                 objects=[("organisations.team", pk) for pk in built.scope.team_ids],
                 metadata={"start": built.start.isoformat(), "end": built.end.isoformat()})
    return f"performance-{built.start:%Y-%m-%d}-to-{built.end:%Y-%m-%d}.csv", out.getvalue().encode("utf-8-sig")
