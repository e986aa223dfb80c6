"""The family page asks first which rarely-filled parts of the record have rows (`selectors._parts_with_rows`) and
reads only those: a part with rows must still be read and shown, and a family without any shows none."""

import datetime

from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.casework import selectors
from earlyhelp.casework.models import Document, DocumentKind, Transition, TransitionKind
from earlyhelp.people.models import Marker, MarkerKind
from earlyhelp.privacy.models import DatasetDisclosure, DatasetDisclosureKind, ProcessingPurpose
from earlyhelp.testing.world import make_family

TODAY = datetime.date(2026, 12, 1)


def _record(world, family):
    return selectors.family_record(policy.family_access(world.lead, family["household"].pk), world.lead)


def test_parts_that_have_rows_are_read_and_parts_without_are_empty(world):
    family = make_family(world, lead=world.lead)
    empty = _record(world, family)
    assert (empty.markers, empty.transitions, empty.documents, empty.dataset_disclosures) == ([], [], [], [])

    episode = family["episode"]
    Marker.objects.create(person=family["members"][1], kind=MarkerKind.YOUNG_CARER, start_date=TODAY,
                          recorded_by=world.lead)
    Transition.objects.create(episode=episode, kind=TransitionKind.STEP_UP, occurred_on=TODAY,
                              reason="Strategy discussion", decided_by=world.manager)
    Document.objects.create(episode=episode, title="School letter", kind=DocumentKind.DOCUMENT,
                            file="episodes/letter.pdf", content_type="application/pdf", size_bytes=1,
                            uploaded_by=world.lead)
    shared = DatasetDisclosure.objects.create(
        kind=DatasetDisclosureKind.RESEARCH_EXTRACT, purpose=ProcessingPurpose.objects.get(code="research"),
        recipient="approved_researchers", recipient_name="A university", period_start=TODAY, period_end=TODAY,
        columns=["pseudonym"], row_count=1, file_name="extract.csv", file_sha256="0" * 64, pseudonymised=True,
        decided_by=world.data_team, decided_at=timezone.now())
    shared.households.add(family["household"])

    record = _record(world, family)
    assert [m.kind for m in record.markers] == [MarkerKind.YOUNG_CARER]
    assert [t.kind for t in record.transitions] == [TransitionKind.STEP_UP]
    assert [d.title for d in record.documents] == ["School letter"]
    assert record.dataset_disclosures == [shared]

    other = make_family(world, lead=world.lead, family_name="Otherfamily", seed=2)  # another family's rows are not this one's
    assert _record(world, other).markers == [] and _record(world, other).dataset_disclosures == []

