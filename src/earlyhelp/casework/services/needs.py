"""Supporting Families needs on the family's case: a practitioner who works on the case records a need (for one
member or the whole family) or marks one as recorded in error. The rules of a need itself (one per descriptor and
member in an episode, a reason for a withdrawal, progress scores) are the programme's (`programme.services.needs`);
this module checks the actor's access to the family and that the need belongs to its open episode."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from earlyhelp.access.restrictions import ensure_not_restricted
from earlyhelp.organisations.models import Organisation, User
from earlyhelp.programme.models import Descriptor, Need
from earlyhelp.programme.services import needs as programme_needs
from earlyhelp.records.provenance import SourceKind

from .. import messages
from ..models import Episode
from ._common import _require


@transaction.atomic
def record_family_need(*, by: User, household_id: int, person_id: int | None, descriptor_id: int | None,
                       evidence: str, source_kind: str = SourceKind.PRACTITIONER,
                       source_organisation: Organisation | None = None, source_reference: str = "",
                       identified_on: datetime.date | None = None, baseline_score: int | None = None) -> Need:
    """A need on the family's open episode, for a current member (`person_id`) or the whole family (None)."""
    _require(by, household_id, "can_work_on_case")
    episode = Episode.objects.filter(household_id=household_id).open().first()
    if episode is None:
        raise ValidationError(messages.NEEDS_NEED_AN_OPEN_EPISODE)
    person = None
    if person_id is not None:
        membership = (episode.household.memberships.filter(person_id=person_id, end_date__isnull=True)
                      .select_related("person").first())
        if membership is None:
            raise ValidationError({"person": messages.CHOOSE_NEED_PERSON})
        person = membership.person
        ensure_not_restricted(person=person)
    if descriptor_id is not None and not Descriptor.objects.filter(pk=descriptor_id, version__is_current=True).exists():
        descriptor_id = None  # an earlier framework's descriptor: the programme's service asks for a current one
    return programme_needs.record_need(
        by=by, household_id=household_id, episode_id=episode.pk, person=person, descriptor_id=descriptor_id or 0,
        evidence=evidence, source_kind=source_kind, source_organisation=source_organisation,
        source_reference=source_reference.strip(), identified_on=identified_on, baseline_score=baseline_score)


@transaction.atomic
def withdraw_family_need(*, by: User, need: Need, reason: str) -> Need:
    """A need recorded in error: kept, with the reason, and no longer counted; the same need can be recorded again."""
    _require(by, need.household_id, "can_work_on_case")
    return programme_needs.withdraw_need(by=by, need_id=need.pk, reason=reason)
