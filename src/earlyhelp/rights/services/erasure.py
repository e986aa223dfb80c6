"""An approved erasure request (UK GDPR Article 17): the erasure engine removes the person, in the transaction of
the decision; the request stays, scrubbed of personal data, as the record of what was done (P19)."""

from earlyhelp.people.models import Person
from earlyhelp.retention.services import erasure as engine


def erase_subject(*, by, request, documents=()):
    person = Person.objects.get(pk=request.subject_id)
    engine.erase_person(person=person, request=request, approved_by=by, documents=documents)
    request.refresh_from_db()
