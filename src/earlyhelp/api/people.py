"""GET /api/people/{id} and POST /api/people/search (search terms in the body, never the URL)."""

from ninja import Path, Router

from earlyhelp.audit.models import Purpose
from earlyhelp.people import selectors

from .families import marker
from .schemas import MAX_ID, Error, PersonOut, SearchIn, SearchOut

router = Router(tags=["people"])


def person_out(record: selectors.PersonRecord) -> dict:
    p, address = record.person, record.current_address
    return {
        "id": p.pk, "given_name": p.given_name, "family_name": p.family_name, "preferred_name": p.preferred_name,
        "date_of_birth": p.date_of_birth, "expected_date_of_birth": p.expected_date_of_birth, "gender": p.gender,
        "first_language": p.first_language, "interpreter_needed": p.interpreter_needed,
        "identifiers": [{"scheme": i.scheme, "value": i.value} for i in record.identifiers],
        "current_address": None if address is None else {
            "line_1": address.line_1, "line_2": address.line_2, "town": address.town, "postcode": address.postcode,
            "valid_from": address.valid_from,
        },
        "markers": [marker(m) for m in record.markers],
        "special_category": {
            "ethnicity": p.ethnicity, "disability": p.disability,
            "special_educational_needs": p.special_educational_needs,
        } if record.sees_special_category else None,
        "special_category_restricted": not record.sees_special_category,
    }


@router.post("/search", response={200: SearchOut, 400: Error, 401: Error, 403: Error, 422: Error},
             summary="Search for a person before creating a new record")
def search_people(request, payload: SearchIn):
    """A family name with a given name or date of birth, or an identifier (NHS, NI, UPN or PNC number).
    Returns the minimum needed to recognise a match; restricted records are never described."""
    outcome = selectors.search_people(
        request.auth, family_name=payload.family_name, given_name=payload.given_name,
        date_of_birth=payload.date_of_birth, identifier=payload.identifier.strip(),
    )
    return {"results": [vars(r) for r in outcome.results], "restricted_match": outcome.restricted_match}


@router.get("/{person_id}", response={200: PersonOut, 401: Error, 404: Error, 422: Error},
            summary="A person in a family the caller may open")
def get_person(request, person_id: int = Path(..., ge=1, le=MAX_ID)):
    """Identifiers, current address and markers. Ethnicity, disability and SEN only when the caller's
    access to the family includes special category data. Audited; 404 (audited) otherwise."""
    return person_out(selectors.open_person(request.auth, person_id, purpose=Purpose.API_ACCESS))
