"""Returns and the Ofsted list through the API, for the data team (`MAKE_RETURNS` in the permission table).

- `GET /api/returns`: the returns made, newest first; `GET /api/returns/{return_id}`: one, its tables as published.
- `POST /api/returns/quarterly`, `POST /api/returns/family-progress`: make a return (the same service as the page:
  counted, through disclosure control, kept as published, audited). A future or empty period: 422, nothing written.
- `GET /api/returns/annex-a/list-2?inspection_date=YYYY-MM-DD&file_format=csv|xlsx`: Ofsted Annex A list 2 as a
  file. A future date, or no assessments in the period: 422, no file.

Any other role: 403 before anything is looked up.
"""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from ninja import Field, Path, Query, Router, Schema, Status

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action
from earlyhelp.reporting.models import PublishedReturn
from earlyhelp.reporting.services import annex_a, returns

from .schemas import Error

router = Router(tags=["returns"])
PURPOSE = returns.PURPOSE
ReturnId = Path(..., ge=1, le=2**63 - 1, description="The return's id")


class ReturnSummaryOut(Schema):
    id: int
    kind: str
    period_start: datetime.date
    period_end: datetime.date
    produced_at: datetime.datetime


class ReturnOut(ReturnSummaryOut):
    tables: dict[str, list[list[str]]] = Field(
        description="Each table as published: a header row, then rows; figures are counts or the GSS symbol c")


class QuarterlyIn(Schema):
    year: int = Field(ge=2000, le=2100, description="The year the financial year starts")
    quarter: Literal[1, 2, 3, 4] = Field(description="1: April to June … 4: January to March")


class FamilyProgressIn(Schema):
    year: int = Field(ge=2000, le=2100, description="The year the financial year starts")
    half: Literal[1, 2] = Field(description="1: April to September, 2: October to March")


class AnnexAQuery(Schema):
    inspection_date: datetime.date
    file_format: Literal["csv", "xlsx"] = "csv"


def _require(request):
    if not policy.has_permission(request.auth, policy.Permission.MAKE_RETURNS):
        raise PermissionDenied("Your role does not include making returns")


def _out(published: PublishedReturn, *, tables=True) -> dict:
    summary = {"id": published.pk, "kind": published.kind, "period_start": published.period_start,
               "period_end": published.period_end, "produced_at": published.produced_at}
    return {**summary, "tables": published.tables} if tables else summary


@router.get("", response={200: list[ReturnSummaryOut], 401: Error, 403: Error, 422: Error},
            summary="The Supporting Families returns made, newest first")
def list_returns(request):
    _require(request)
    rows = list(returns.published_returns()[:100])
    audit.record(actor=request.auth, action=Action.VIEW, event="returns.view", purpose=PURPOSE,
                 metadata={"listed": len(rows)})
    return [_out(published, tables=False) for published in rows]


@router.get("/annex-a/list-2", response={200: None, 401: Error, 403: Error, 422: Error},
            summary="Ofsted Annex A list 2 (early help assessments) as a CSV or Excel file",
            openapi_extra={"responses": {200: {"description": "The list", "content": {
                "text/csv": {}, annex_a.FILE_FORMATS["xlsx"]: {}}}}})
def annex_a_list_2(request, query: Query[AnnexAQuery]):
    _require(request)
    name, content_type, content = annex_a.export_list_2(by=request.auth, inspection_date=query.inspection_date,
                                                        file_format=query.file_format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.post("/quarterly", response={201: ReturnOut, 400: Error, 401: Error, 403: Error, 422: Error},
             summary="Make the Supporting Families quarterly progress return for a financial quarter")
def make_quarterly(request, payload: QuarterlyIn):
    _require(request)
    published = returns.make_quarterly_return(by=request.auth, year=payload.year, quarter=payload.quarter)
    return Status(201, _out(published))


@router.post("/family-progress", response={201: ReturnOut, 400: Error, 401: Error, 403: Error, 422: Error},
             summary="Make the six-monthly family progress data (distance travelled by headline)")
def make_family_progress(request, payload: FamilyProgressIn):
    _require(request)
    published = returns.make_family_progress_return(by=request.auth, year=payload.year, half=payload.half)
    return Status(201, _out(published))


# Last: the id route would otherwise take the paths above.
@router.get("/{return_id}", response={200: ReturnOut, 401: Error, 403: Error, 404: Error, 422: Error},
            summary="One return, with its tables as published")
def get_return(request, return_id: int = ReturnId):
    _require(request)
    published = PublishedReturn.objects.filter(pk=return_id).first()
    if published is None:
        policy.refuse(request.auth, object_type="reporting.publishedreturn", object_id=return_id, purpose=PURPOSE)
    audit.record(actor=request.auth, action=Action.VIEW, event="return.view", purpose=PURPOSE, objects=[published])
    return _out(published)
