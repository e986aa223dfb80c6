"""National Impact Study transfers and research extracts for the data team, through the same permission table and
services as the pages. The endpoints answer with manifests (no personal data); the files themselves are collected
once, from the pages."""

from django.core.exceptions import PermissionDenied
from ninja import Path, Router, Schema, Status

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.privacy.models import DatasetDisclosure, DatasetDisclosureKind
from earlyhelp.reporting.models import ResearchProject
from earlyhelp.reporting.services import files, nis, research

from .schemas import MAX_ID, Error, IsoDate

router = Router(tags=["returns and research"])

DisclosureId = Path(..., ge=1, le=MAX_ID, description="The logged file's id")
ProjectId = Path(..., ge=1, le=MAX_ID, description="The research project's id")


class PeriodIn(Schema):
    period_start: IsoDate
    period_end: IsoDate


class ExtractIn(PeriodIn):
    columns: list[str] = []


class ManifestOut(Schema):
    id: int
    kind: str
    purpose: str
    recipient: str
    recipient_name: str
    period_start: str
    period_end: str
    columns: list[str]
    row_count: int
    families: int
    file_name: str
    file_sha256: str
    pseudonymised: bool
    reference: str
    decided_at: str


class ProjectOut(Schema):
    id: int
    reference: str
    title: str
    recipient: str
    recipient_name: str
    starts_on: str
    ends_on: str
    columns: list[str]
    ended: bool
    key_destroyed_at: str | None


def _require(request, purpose):
    if not policy.has_permission(request.auth, policy.Permission.MAKE_RETURNS):
        raise PermissionDenied("Only the data team can use returns and research extracts")


def manifest_out(disclosure) -> dict:
    return {"id": disclosure.pk, **files.manifest(disclosure)}


def project_out(project) -> dict:
    return {"id": project.pk, "reference": project.reference, "title": project.title, "recipient": project.recipient,
            "recipient_name": project.recipient_name, "starts_on": project.starts_on.isoformat(),
            "ends_on": project.ends_on.isoformat(), "columns": project.columns, "ended": research.is_ended(project),
            "key_destroyed_at": project.key_destroyed_at.isoformat() if project.key_destroyed_at else None}


@router.get("/nis-transfers", response={200: list[ManifestOut], 401: Error, 403: Error, 422: Error},
            summary="National Impact Study transfers made (manifests), newest first")
def list_transfers(request):
    _require(request, Purpose.NATIONAL_IMPACT_STUDY)
    rows = list(nis.transfers()[:200])
    audit.record(actor=request.auth, action=Action.VIEW, event="national_impact_study.list",
                 purpose=Purpose.NATIONAL_IMPACT_STUDY, metadata={"listed": len(rows)})
    return [manifest_out(d) for d in rows]


@router.post("/nis-transfers", response={201: ManifestOut, 400: Error, 401: Error, 403: Error, 422: Error},
             summary="Make the period's transfer file: logged with its manifest, downloaded once from the page")
def make_transfer(request, payload: PeriodIn):
    _require(request, Purpose.NATIONAL_IMPACT_STUDY)
    disclosure = nis.make_transfer(by=request.auth, period_start=payload.period_start, period_end=payload.period_end)
    return Status(201, manifest_out(disclosure))


@router.get("/nis-transfers/{disclosure_id}", response={200: ManifestOut, 401: Error, 403: Error, 404: Error, 422: Error},
            summary="One transfer's manifest")
def get_transfer(request, disclosure_id: int = DisclosureId):
    _require(request, Purpose.NATIONAL_IMPACT_STUDY)
    disclosure = DatasetDisclosure.objects.filter(pk=disclosure_id,
                                                  kind=DatasetDisclosureKind.NATIONAL_IMPACT_STUDY).first()
    if disclosure is None:
        policy.refuse(request.auth, object_type="privacy.datasetdisclosure", object_id=disclosure_id,
                      purpose=Purpose.NATIONAL_IMPACT_STUDY)
    audit.record(actor=request.auth, action=Action.VIEW, event="national_impact_study.manifest",
                 purpose=Purpose.NATIONAL_IMPACT_STUDY, objects=[disclosure])
    return manifest_out(disclosure)


@router.get("/research-projects", response={200: list[ProjectOut], 401: Error, 403: Error, 422: Error},
            summary="Research projects and the columns each may receive")
def list_projects(request):
    _require(request, Purpose.RESEARCH)
    rows = list(ResearchProject.objects.all()[:200])
    audit.record(actor=request.auth, action=Action.VIEW, event="research_project.list", purpose=Purpose.RESEARCH,
                 metadata={"listed": len(rows)})
    return [project_out(p) for p in rows]


def _project(request, project_id):
    project = ResearchProject.objects.filter(pk=project_id).first()
    if project is None:
        policy.refuse(request.auth, object_type="reporting.researchproject", object_id=project_id,
                      purpose=Purpose.RESEARCH)
    return project


@router.get("/research-projects/{project_id}/extracts", response={200: list[ManifestOut], 401: Error, 403: Error,
                                                                   404: Error, 422: Error},
            summary="The project's extracts (manifests)")
def list_extracts(request, project_id: int = ProjectId):
    _require(request, Purpose.RESEARCH)
    project = _project(request, project_id)
    rows = list(research.extracts_of(project)[:200])
    audit.record(actor=request.auth, action=Action.VIEW, event="research_extract.list", purpose=Purpose.RESEARCH,
                 objects=[project], metadata={"listed": len(rows)})
    return [manifest_out(d) for d in rows]


@router.post("/research-projects/{project_id}/extracts",
             response={201: ManifestOut, 400: Error, 401: Error, 403: Error, 404: Error, 422: Error},
             summary="Make a pseudonymised extract: refused for an ended project or a column outside its allowlist")
def make_extract(request, payload: ExtractIn, project_id: int = ProjectId):
    _require(request, Purpose.RESEARCH)
    project = _project(request, project_id)
    disclosure = research.make_extract(by=request.auth, project=project, period_start=payload.period_start,
                                       period_end=payload.period_end, columns=payload.columns or None)
    return Status(201, manifest_out(disclosure))
