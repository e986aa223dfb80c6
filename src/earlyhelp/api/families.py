"""GET /api/families/{id} and its episodes: what the caller may see, as `family_record` decides."""

from ninja import Path, Router

from earlyhelp.audit.models import Purpose
from earlyhelp.casework import selectors as casework_selectors
from earlyhelp.casework.selectors import RESTRICTED

from .schemas import MAX_ID, EpisodeOut, Error, FamilyOut

router = Router(tags=["families"])

HouseholdId = Path(..., ge=1, le=MAX_ID, description="The family's (household's) id")


def practitioner(user):
    return {"id": user.pk, "display_name": user.display_name} if user else None


def team(team):
    return {"id": team.pk, "name": team.name}


def marker(m):
    return {"person_id": m.person_id, "kind": m.kind, "label": m.get_kind_display(), "start_date": m.start_date}


def _finding(area, finding):
    if finding is RESTRICTED:
        return {"area": area.code, "restricted": True}
    return {"area": area.code, "restricted": False, "strengths": finding.strengths, "needs": finding.needs,
            "score": finding.score}


def family_out(record) -> dict:
    household, episode, assessment = record.access.household, record.episode, record.assessment
    return {
        "id": household.pk,
        "reference": household.reference,
        "is_restricted": household.is_restricted,
        "sections": [code for code, shown in record.access.shown.items() if shown],
        "members": [
            {"person_id": m.person_id, "given_name": m.person.given_name, "family_name": m.person.family_name,
             "preferred_name": m.person.preferred_name, "date_of_birth": m.person.date_of_birth,
             "expected_date_of_birth": m.person.expected_date_of_birth, "role": m.role,
             "lives_in_household": m.lives_in_household}
            for m in record.members
        ],
        "markers": [marker(m) for m in record.markers],
        "episode": None if episode is None else {
            "id": episode.pk, "status": episode.status, "opened_on": episode.opened_on, "team": team(episode.team),
            "lead_practitioner": practitioner(episode.lead_practitioner),
            "taf_members": [{"practitioner": practitioner(t.practitioner), "organisation": t.organisation.name,
                             "start_date": t.start_date} for t in record.taf_members],
        },
        "assessment": None if assessment is None else {
            "id": assessment.pk, "status": assessment.status, "started_on": assessment.started_on,
            "completed_on": assessment.completed_on,
            "findings": [_finding(area, finding) for area, finding in record.findings],
        },
    }


def episode_out(episode) -> dict:
    return {"id": episode.pk, "status": episode.status, "opened_on": episode.opened_on,
            "closed_on": episode.closed_on, "closure_reason": episode.closure_reason, "team": team(episode.team),
            "lead_practitioner": practitioner(episode.lead_practitioner)}


@router.get("/{household_id}", response={200: FamilyOut, 401: Error, 404: Error, 422: Error},
            summary="A family, as the caller may see it")
def get_family(request, household_id: int = HouseholdId):
    """Current members, markers, the current episode and its assessment findings. Special category and
    criminal offence findings are `{"area": code, "restricted": true}` for callers without access to them. A member
    of the Team Around the Family gets only the sections they were given (`sections`; P8).
    Every read is audited; a family the caller has no relationship with is a 404 (and audited)."""
    return family_out(casework_selectors.open_family(request.auth, household_id, route_purpose=Purpose.API_ACCESS))


@router.get("/{household_id}/episodes", response={200: list[EpisodeOut], 401: Error, 404: Error, 422: Error},
            summary="A family's early help episodes, newest first")
def list_episodes(request, household_id: int = HouseholdId):
    return [episode_out(e) for e in casework_selectors.list_episodes(request.auth, household_id, purpose=Purpose.API_ACCESS)]
