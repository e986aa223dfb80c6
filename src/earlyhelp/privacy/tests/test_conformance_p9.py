"""P9: withdrawing consent does not undo what was lawfully done before it (conformance, clause P9.4)."""

import pytest
from django.core.exceptions import ValidationError

from earlyhelp.people import services as people
from earlyhelp.privacy.models import ConsentStatus, Disclosure
from earlyhelp.privacy.services import consent as consents
from earlyhelp.privacy.services import disclosures
from earlyhelp.testing.world import make_family

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P9")]


def test_withdrawing_consent_leaves_what_was_shared_before_on_record(world):
    family = make_family(world, lead=world.lead)
    mother, _, child, _ = family["members"]
    people.relate(by=world.lead, person=mother, related_person=child, relationship="parent",
                  has_parental_responsibility=True)
    consent = consents.record_consent(by=world.lead, household=family["household"], subject=child, given_by=mother,
                                      covers_support=True, sharing_partner_types=["school"],
                                      evidence_type="signed_form", evidence_reference="Form 1")
    share = {"by": world.lead, "household": family["household"], "recipient_organisation": world.school,
             "purpose_code": "multi_agency_sharing", "basis": "consent", "sections": ["plan"],
             "reason": "School is delivering the attendance action"}
    before = disclosures.record_disclosure(**share)

    consents.request_withdrawal(by=world.lead, consent_id=consent.pk, channel="writing")
    consents.complete_withdrawal(by=world.dpo, consent_id=consent.pk)

    with pytest.raises(ValidationError, match="consent does not cover"):
        disclosures.record_disclosure(**share)  # nothing new on that consent
    kept = Disclosure.objects.get()
    assert kept.pk == before.pk and (kept.basis, kept.sections, kept.shared) == ("consent", ["plan"], True)
    assert list(disclosures.disclosures_for(family["household"])) == [kept]
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.WITHDRAWN
    assert (consent.evidence_reference, consent.sharing_partner_types) == ("Form 1", ["school"])
