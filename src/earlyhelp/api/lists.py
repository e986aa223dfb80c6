"""GET /api/families/ and /api/reviews/: the casework lists, paged, sorted and filtered as on the web, naming
families as the access policy allows (`casework.lists`)."""

import datetime
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.casework.lists import filters, rows

from .families import practitioner, team
from .schemas import MAX_ID, Error, PractitionerOut, TeamOut, choices_literal

router = Router(tags=["lists"])

MAX_PAGE_SIZE = 100
FamilyListCode = choices_literal(rows.FamilyList)
StageCode = choices_literal(rows.Stage)


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="Which page, from 1")
    page_size: int = Field(25, ge=1, le=MAX_PAGE_SIZE, description="Rows per page")


class FamilyListQuery(PageQuery):
    list: FamilyListCode = Field("mine", description="Which list: the caller's own families, their team's (a "
                                                     "manager), unallocated, awaiting approval, or the families whose "
                                                     "Team Around the Family they are on")
    sort: Literal["name", "-name", "reference", "-reference", "opened_on", "-opened_on", "stage", "-stage",
                  "next_review_due", "-next_review_due"] = Field("opened_on",
                                                                 description="Sort order; a leading '-' reverses it")
    team: int | None = Field(None, ge=1, le=MAX_ID, description="Only families held by this team")
    stage: StageCode | None = Field(None, description="Only families at this stage")
    lead: int | None = Field(None, ge=1, le=MAX_ID, description="Only families this practitioner leads")
    overdue: bool | None = Field(None, description="Only families whose next review is overdue (true) or not (false)")


class FamilyListItem(Schema):
    household_id: int
    reference: str
    name: str = Field(description="The family's name, e.g. 'Smith family'")
    children: list[str] = Field(description="The children's names")
    team: TeamOut
    lead_practitioner: PractitionerOut | None
    opened_on: datetime.date
    stage: StageCode | None = Field(description="Null for a Team Around the Family member (P8)")
    next_review_due: datetime.date | None = Field(description="Null for a Team Around the Family member (P8)")
    days_overdue: int | None = Field(description="Days the next review is overdue; null if it is not")


class Page(Schema):
    count: int = Field(description="Rows in the whole (filtered) list")
    page: int
    page_size: int
    pages: int


class FamilyPage(Page):
    items: list[FamilyListItem]


class ReviewListQuery(PageQuery):
    sort: Literal["due_on", "-due_on", "reference", "-reference"] = "due_on"
    team: int | None = Field(None, ge=1, le=MAX_ID)
    lead: int | None = Field(None, ge=1, le=MAX_ID)
    when: Literal["overdue", "soon", "not_overdue"] | None = Field(None, description="Overdue, due soon, or not")


class ReviewListItem(Schema):
    review_id: int
    household_id: int
    reference: str
    name: str
    children: list[str]
    team: TeamOut
    lead_practitioner: PractitionerOut | None
    due_on: datetime.date
    days_overdue: int | None


class ReviewPage(Page):
    items: list[ReviewListItem]


_FAMILY_SORT = {"name": "family_sort", "reference": "household__reference", "opened_on": "opened_on", "stage": "stage_order",
                "next_review_due": "next_review_due"}
_REVIEW_SORT = {"due_on": "due_on", "reference": "episode__household__reference"}


def _order(rows_, sort: str, columns: dict):
    column = columns[sort.lstrip("-")]
    return rows_.order_by(f"-{column}" if sort.startswith("-") else column, "pk")


def _page(request, rows_, query, *, household_of, event):
    count = rows_.count()
    start = (query.page - 1) * query.page_size
    items = list(rows_[start:start + query.page_size])
    audit.record(actor=request.auth, action=Action.VIEW, event=event, purpose=Purpose.API_ACCESS,
                 objects=[("people.household", pk) for pk in sorted({household_of(i) for i in items})],
                 metadata={"page": query.page, "listed": count})
    return items, {"count": count, "page": query.page, "page_size": query.page_size,
                   "pages": max(1, -(-count // query.page_size))}


def _overdue_days(due, today):
    return (today - due).days if due and due < today else None


@router.get("/families/", response={200: FamilyPage, 401: Error, 404: Error, 422: Error},
            summary="A list of families, paged")
def list_families(request, query: Query[FamilyListQuery]):
    """One of the caller's lists of open families, `page_size` at a time, named as the access policy allows (a
    family the caller may not open is never listed; a family with a restricted member is left out). A list the
    caller does not have is a 404. Filters combine; every read is audited with the families on the page."""
    user, today = request.auth, timezone.localdate()
    which = rows.FamilyList(query.list)
    if which not in rows.family_lists_for(user):
        policy.refuse(user, purpose=Purpose.API_ACCESS)
    partner = which == rows.FamilyList.TEAM_AROUND_THE_FAMILY
    data = {"team": query.team, "lead": query.lead,
            "overdue": {True: "yes", False: "no"}.get(query.overdue), "stage": None if partner else query.stage}
    filterset = filters.FamilyFilter({k: v for k, v in data.items() if v is not None},
                                     queryset=rows.families(user, which))
    chosen = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    items, page = _page(request, _order(chosen, query.sort, _FAMILY_SORT), query,
                        household_of=lambda e: e.household_id, event="families.list")
    return {**page, "items": [{
        "household_id": e.household_id, "reference": e.household.reference,
        "name": policy.family_name(e.household).name, "children": list(policy.family_name(e.household).children),
        "team": team(e.team), "lead_practitioner": practitioner(e.lead_practitioner), "opened_on": e.opened_on,
        "stage": None if partner else e.stage, "next_review_due": None if partner else e.next_review_due,
        "days_overdue": None if partner else _overdue_days(e.next_review_due, today)} for e in items]}


@router.get("/reviews/", response={200: ReviewPage, 401: Error, 404: Error, 422: Error},
            summary="Reviews to hold, paged")
def list_reviews(request, query: Query[ReviewListQuery]):
    """Reviews not yet held of the caller's open families (a manager: their team's), `page_size` at a time. A role
    without casework gets a 404."""
    user, today = request.auth, timezone.localdate()
    policy.require(user, policy.Permission.CASEWORK, purpose=Purpose.API_ACCESS)
    data = {"team": query.team, "lead": query.lead,
            "overdue": {"overdue": "yes", "soon": "soon", "not_overdue": "no"}.get(query.when)}
    filterset = filters.ReviewFilter({k: v for k, v in data.items() if v is not None}, queryset=rows.reviews(user))
    chosen = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    items, page = _page(request, _order(chosen, query.sort, _REVIEW_SORT), query,
                        household_of=lambda r: r.episode.household_id, event="reviews.list")
    return {**page, "items": [{
        "review_id": r.pk, "household_id": r.episode.household_id, "reference": r.episode.household.reference,
        "name": policy.family_name(r.episode.household).name,
        "children": list(policy.family_name(r.episode.household).children), "team": team(r.episode.team),
        "lead_practitioner": practitioner(r.episode.lead_practitioner), "due_on": r.due_on,
        "days_overdue": _overdue_days(r.due_on, today)} for r in items]}
