"""Supporting Families returns: the quarterly progress return and the six-monthly family progress data.

Periods follow the financial year (April to March): quarter 1 is April to June, 2 July to September, 3 October to
December, 4 January to March; half 1 is April to September, half 2 October to March. `year` is the year the
financial year starts (2025 is 2025 to 2026). A period that has not started is refused.

Every table is counted from the records and put through disclosure control (`_protect.protect_tables`) before it is
shown or kept; what is kept (`PublishedReturn.tables`) is the tables as published, counts and `c` only. A
return is made once for its kind and period, so that two versions cannot be set side by side. Families whose
records are restricted (UK GDPR Article 18) are left out of every count. A period with nothing to count is refused,
and nothing is written.

Stages (a family's furthest stage on a day, from its casework): closed (episode closed by then), review (a Team
Around the Family review held), plan (a family plan made), assessment (an assessment started), contact (an episode
opened, or a contact received, and nothing further yet).
"""

import csv
import datetime
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, Min, OuterRef, Q
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.access.restrictions import without_restricted
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.casework.models import Assessment, Contact, Episode, EpisodeStatus, Review
from earlyhelp.organisations.models import Team
from earlyhelp.programme.models import HeadlineArea, Need, NeedProgress, NeedStatus, ProgressOccasion
from earlyhelp.records.calendar import add_months
from earlyhelp.records.text import NeutralisedWriter
from earlyhelp.reporting.models import PublishedReturn, ReturnKind
from earlyhelp.supporting_families.models import Claim, ClaimStatus, ProgrammeFamily
from earlyhelp.ui.forms import format_date, today

from ._protect import Publication, TableSpec, protect_tables, tables_as_published

PURPOSE = Purpose.SUPPORTING_FAMILIES_RETURNS

CONTACT, ASSESSMENT, PLAN, REVIEW, CLOSED = "Contact", "Assessment", "Plan", "Review", "Closed"
STAGES = (CONTACT, ASSESSMENT, PLAN, REVIEW, CLOSED)
ON_PROGRAMME, CLAIMED = "On the programme, not yet claimed", "Claimed (payment by results)"
IMPROVED, SAME, WORSE = "Improved", "Stayed the same", "Worse"

CHOOSE_QUARTER = "Choose a quarter from 1 to 4"
CHOOSE_HALF = "Choose the first half (April to September) or the second (October to March)"
ENTER_YEAR = "Enter the year the financial year starts, for example 2025"
FUTURE_PERIOD = "The period must not be in the future: choose one that has started"

QUARTERLY_TITLES = ("Families by stage at the end of the quarter", "Needs identified by headline",
                    "Outcomes achieved at closure by headline", "Families on the programme",
                    "Families by stage and team at the end of the quarter")
NO_TEAM = "No team"
ALREADY_MADE = ("The {kind} for {start} to {end} was made on {made}. A return is published once for its period, so "
                "that two versions cannot be compared to work out small numbers: download the one already made")
PROGRESS_TITLE = "Distance travelled by headline (latest score against the baseline)"


def nothing_to_return(start, end) -> str:
    return (f"There is nothing to return for {format_date(start)} to {format_date(end)}: no families, needs or "
            "outcomes were recorded in that period, so no return was made")


# --- periods -------------------------------------------------------------------------------------------------

def _clean_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": ENTER_YEAR}) from None
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": ENTER_YEAR})
    return year


def _period(start: datetime.date, months: int) -> tuple[datetime.date, datetime.date]:
    if start > today():
        raise ValidationError({"__all__": FUTURE_PERIOD})
    return start, add_months(start, months) - datetime.timedelta(days=1)


def financial_year_of(day: datetime.date) -> int:
    """The year the financial year holding `day` starts (1 April)."""
    return day.year if day.month >= 4 else day.year - 1


def quarter_of(day: datetime.date) -> tuple[int, int]:
    """(financial year, quarter 1 to 4) holding `day`."""
    return financial_year_of(day), (day.month - 4) % 12 // 3 + 1


def half_of(day: datetime.date) -> tuple[int, int]:
    """(financial year, half 1 or 2) holding `day`."""
    return financial_year_of(day), 1 if 4 <= day.month <= 9 else 2


def quarter_period(year, quarter) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a financial quarter."""
    year = _clean_year(year)
    if str(quarter) not in {"1", "2", "3", "4"}:
        raise ValidationError({"quarter": CHOOSE_QUARTER})
    return _period(add_months(datetime.date(year, 4, 1), 3 * (int(quarter) - 1)), 3)


def half_year_period(year, half) -> tuple[datetime.date, datetime.date]:
    year = _clean_year(year)
    if str(half) not in {"1", "2"}:
        raise ValidationError({"half": CHOOSE_HALF})
    return _period(add_months(datetime.date(year, 4, 1), 6 * (int(half) - 1)), 6)


# --- what is counted -----------------------------------------------------------------------------------------

def episodes_with_stage(on: datetime.date):
    """Episodes annotated with what their stage needs on a day: first assessment started, plan made, review held."""
    return Episode.objects.annotate(
        first_assessment=Min("assessments__started_on", filter=Q(assessments__started_on__lte=on)),
        last_review=Max("reviews__held_on", filter=Q(reviews__held_on__lte=on)),
    ).select_related("plan")


def stage_on(episode, on: datetime.date) -> str:
    if episode.status == EpisodeStatus.CLOSED and episode.closed_on and episode.closed_on <= on:
        return CLOSED
    if episode.last_review:
        return REVIEW
    plan = getattr(episode, "plan", None)
    if plan is not None and timezone.localdate(plan.created_at) <= on:
        return PLAN
    if episode.first_assessment:
        return ASSESSMENT
    return CONTACT


def headline_labels() -> list[str]:
    return list(HeadlineArea.objects.order_by("order").values_list("label", flat=True))


def team_labels() -> list[str]:
    return [*Team.objects.order_by("name").values_list("name", flat=True), NO_TEAM]


def families_by_stage(start, end) -> list[dict]:
    """One record per family worked with in the period: its furthest stage at the end of the period, and the team
    that holds it (a contact's team for a family that has had only a contact)."""
    episodes = without_restricted(
        episodes_with_stage(end).filter(opened_on__lte=end).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start)),
        household="household_id").select_related("team")
    stages = {}
    for episode in episodes.order_by("opened_on"):  # a family's latest episode in the period decides its stage
        stages[episode.household_id] = {"stage": stage_on(episode, end), "team": episode.team.name}
    contacts = without_restricted(
        Contact.objects.filter(received_at__date__gte=start, received_at__date__lte=end), household="household_id")
    for household_id, team in contacts.values_list("household_id", "team__name"):
        stages.setdefault(household_id, {"stage": CONTACT, "team": team or NO_TEAM})
    return list(stages.values())


def _needs():
    return without_restricted(Need.objects.exclude(status=NeedStatus.WITHDRAWN), household="household_id")


def needs_identified(start, end) -> list[dict]:
    return [{"headline": label} for label in
            _needs().filter(identified_on__gte=start, identified_on__lte=end)
            .values_list("descriptor__area__label", flat=True)]


def outcomes_achieved(start, end) -> list[dict]:
    """Needs met, on families whose episode closed in the period (the outcome as it stood at closure)."""
    return [{"headline": label} for label in
            _needs().filter(status=NeedStatus.MET, episode__status=EpisodeStatus.CLOSED,
                            episode__closed_on__gte=start, episode__closed_on__lte=end)
            .values_list("descriptor__area__label", flat=True)]


def programme_families(end) -> list[dict]:
    claimed = Claim.objects.filter(household=OuterRef("household"), status=ClaimStatus.ACCEPTED,
                                   decided_at__date__lte=end)
    # The comparison group is eligible but not offered support: it is not "on the programme".
    families = without_restricted(ProgrammeFamily.objects.filter(decided_at__date__lte=end, comparison_group=False),
                                  household="household_id").annotate(claimed=Exists(claimed))
    return [{"programme": CLAIMED if family.claimed else ON_PROGRAMME} for family in families]


def distance_travelled(start, end) -> list[dict]:
    """Per need with a baseline and a later score recorded in the period: the latest score against the baseline
    (scores run from 1, significant concern, to 5, none; higher is better)."""
    needs = _needs().filter(progress__occasion=ProgressOccasion.BASELINE).filter(
        Exists(NeedProgress.objects.filter(need=OuterRef("pk"), recorded_on__gte=start, recorded_on__lte=end)
               .exclude(occasion=ProgressOccasion.BASELINE))).distinct().select_related("descriptor__area")
    scores: dict = {}
    for need_id, occasion, score in (NeedProgress.objects.filter(need__in=needs, recorded_on__lte=end)
                                     .order_by("recorded_on", "pk").values_list("need_id", "occasion", "score")):
        scores.setdefault(need_id, []).append((occasion, score))
    records = []
    for need in needs:
        recorded = scores.get(need.pk, [])
        baseline = next((score for occasion, score in recorded if occasion == ProgressOccasion.BASELINE), None)
        later = [score for occasion, score in recorded if occasion != ProgressOccasion.BASELINE]
        if baseline is None or not later:  # a baseline recorded after the period's end: nothing to compare yet
            continue
        latest = later[-1]
        direction = IMPROVED if latest > baseline else SAME if latest == baseline else WORSE
        records.append({"headline": need.descriptor.area.label, "direction": direction})
    return records


# --- the returns -----------------------------------------------------------------------------------------------

def _require(by):
    if not policy.has_permission(by, policy.Permission.MAKE_RETURNS):
        raise PermissionDenied("Only the data team may make returns")


def quarterly_publications(start, end, earlier=None) -> list[Publication]:
    earlier = earlier or {}
    headlines = headline_labels()
    return [
        # Protected together: a stage's count is the sum of its row by team.
        Publication(records=families_by_stage(start, end), dimensions={"stage": STAGES, "team": team_labels()},
                    tables=[TableSpec(QUARTERLY_TITLES[0], rows="stage"),
                            TableSpec(QUARTERLY_TITLES[4], rows="stage", columns="team")], earlier=earlier),
        Publication(records=needs_identified(start, end), dimensions={"headline": headlines},
                    tables=[TableSpec(QUARTERLY_TITLES[1], rows="headline")], earlier=earlier),
        Publication(records=outcomes_achieved(start, end), dimensions={"headline": headlines},
                    tables=[TableSpec(QUARTERLY_TITLES[2], rows="headline")], earlier=earlier),
        Publication(records=programme_families(end), dimensions={"programme": (ON_PROGRAMME, CLAIMED)},
                    tables=[TableSpec(QUARTERLY_TITLES[3], rows="programme")], earlier=earlier),
    ]


def progress_publications(start, end, earlier=None) -> list[Publication]:
    return [Publication(records=distance_travelled(start, end),
                        dimensions={"headline": headline_labels(), "direction": (IMPROVED, SAME, WORSE)},
                        tables=[TableSpec(PROGRESS_TITLE, rows="headline", columns="direction")],
                        earlier=earlier or {})]


def _publish(*, by, kind, start, end, publications, of_the_period=None) -> PublishedReturn:
    """`of_the_period`: the publications about what happened in the period (a return needs one with records)."""
    made = PublishedReturn.objects.filter(kind=kind, period_start=start, period_end=end).first()
    if made is not None:
        raise ValidationError({"__all__": ALREADY_MADE.format(
            kind=made.get_kind_display().lower(), start=format_date(start), end=format_date(end),
            made=format_date(timezone.localtime(made.produced_at).date()))})
    if not any(publication.records for publication in (of_the_period or publications)):
        raise ValidationError({"__all__": nothing_to_return(start, end)})
    shown = [table for publication in publications for table in protect_tables(publication)]
    tables = tables_as_published(shown)
    published = PublishedReturn.objects.create(kind=kind, period_start=start, period_end=end, tables=tables,
                                               titles=list(tables), produced_by=by, produced_at=timezone.now())
    audit.record(actor=by, action=Action.CREATE, event=f"return.{kind}.publish", purpose=PURPOSE,
                 objects=[published], metadata={"period_start": start.isoformat(), "period_end": end.isoformat()})
    return published


@transaction.atomic
def make_quarterly_return(*, by, year, quarter) -> PublishedReturn:
    """The Supporting Families quarterly progress return for a financial quarter, as published."""
    _require(by)
    start, end = quarter_period(year, quarter)
    publications = quarterly_publications(start, end)
    # Families on the programme are a stock, not an activity of the quarter: on their own they make no return.
    return _publish(by=by, kind=ReturnKind.QUARTERLY, start=start, end=end, publications=publications,
                    of_the_period=publications[:3])


@transaction.atomic
def make_family_progress_return(*, by, year, half) -> PublishedReturn:
    """The six-monthly family progress data (distance travelled per headline), as published."""
    _require(by)
    start, end = half_year_period(year, half)
    return _publish(by=by, kind=ReturnKind.FAMILY_PROGRESS, start=start, end=end,
                    publications=progress_publications(start, end))


def published_returns():
    return PublishedReturn.objects.select_related("produced_by")


def return_csv(*, by, published: PublishedReturn) -> tuple[str, bytes]:
    """A published return as CSV (each table under its title, as published). The download is audited."""
    _require(by)
    out = io.StringIO()
    writer = NeutralisedWriter(csv.writer(out, lineterminator="\r\n"))
    writer.writerow([published.get_kind_display()])
    writer.writerow(["Period", f"{published.period_start:%d/%m/%Y} to {published.period_end:%d/%m/%Y}"])
    writer.writerow(["Small numbers", "Counts from 1 to the council's threshold are shown as c, with other figures "
                                      "hidden so that none can be worked out"])
    for title, rows in published.ordered_tables():
        writer.writerow([])
        writer.writerow([title])
        writer.writerows(rows)
    audit.record(actor=by, action=Action.EXPORT, event=f"return.{published.kind}.download", purpose=PURPOSE,
                 objects=[published])
    name = f"{published.kind.replace('_', '-')}-{published.period_start:%Y-%m-%d}-{published.pk}.csv"
    return name, out.getvalue().encode("utf-8-sig")
