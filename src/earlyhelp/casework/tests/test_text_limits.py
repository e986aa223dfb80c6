"""Length limits and the text rules on casework's free text (issue 16): a 1 MB case note is refused, nothing saved."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from earlyhelp.casework import services
from earlyhelp.casework.models import CaseNote
from earlyhelp.records import text
from earlyhelp.testing.world import make_family

ONE_MEGABYTE = "x" * (1024 * 1024)


def test_a_one_megabyte_case_note_is_refused_on_the_page_with_the_limit_and_nothing_is_saved(client, world):
    family = make_family(world, lead=world.lead)
    client.force_login(world.lead)
    before = CaseNote.objects.count()
    response = client.post(reverse("web:note-new", args=[family["household"].pk]),
                           {"text": ONE_MEGABYTE, "source_kind": "practitioner"})
    assert response.status_code == 200
    assert "Case note must be 20,000 characters or fewer" in response.content.decode()
    assert CaseNote.objects.count() == before


def test_the_model_refuses_a_note_over_its_limit_whichever_door_it_came_through(world):
    family = make_family(world, lead=world.lead)
    before = CaseNote.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.add_case_note(by=world.lead, episode=family["episode"], text=ONE_MEGABYTE)
    assert refused.value.message_dict == {"text": ["Text must be 20,000 characters or fewer"]}
    assert CaseNote.objects.count() == before
    note = services.add_case_note(by=world.lead, episode=family["episode"], text="y" * text.LONG_TEXT_MAX_LENGTH)
    assert len(note.text) == text.LONG_TEXT_MAX_LENGTH


def test_a_note_with_a_right_to_left_override_is_refused_and_one_in_nfd_is_kept_in_nfc(world):
    family = make_family(world, lead=world.lead)
    with pytest.raises(ValidationError) as refused:
        services.add_case_note(by=world.lead, episode=family["episode"], text="Paid \u202e0001\u202c pounds")
    assert refused.value.message_dict["text"][0].startswith("Text must not include hidden formatting characters")
    note = services.add_case_note(by=world.lead, episode=family["episode"], text="Zoe\u0308 came")
    note.refresh_from_db()
    assert note.text == "Zoë came"


def test_every_free_text_column_written_by_a_form_or_the_api_has_a_limit():
    from django.apps import apps
    from django.db import models

    unlimited = [f"{model._meta.label}.{field.name}" for model in apps.get_models()
                 if model.__module__.startswith("earlyhelp.") for field in model._meta.get_fields()
                 if isinstance(field, models.TextField) and not field.max_length]
    # The audit trail's own columns are written by the service alone, never from a form or the API.
    # A kept family page is rendered from the records (casework.kept_pages), never written by a form or the API.
    assert set(unlimited) <= {"audit.AuditEvent.object_type", "audit.StagedAuditEvent.object_type",
                              "casework.KeptFamilyPage.html"}
