"""Every personal data column is classified as ordinary, special category or criminal offence data (P16)."""

import pytest
from django.apps import apps

from earlyhelp.casework.models import CaseNote, DomainFinding, PlanAction
from earlyhelp.people.identifiers import IdentifierScheme
from earlyhelp.people.models import Identifier, Marker, Person
from earlyhelp.privacy.classification import (
    FIELDS,
    PERSONAL_DATA_COMMENTS,
    ROW_RULES,
    Sensitivity,
    is_history_model,
    personal_data_fields,
    protected_fields,
    sensitivity_of,
)
from earlyhelp.privacy.models import Disclosure, DisclosureBasis
from earlyhelp.programme.models import HeadlineArea

pytestmark = pytest.mark.promise("P16")


def _earlyhelp_models():
    return [m for m in apps.get_models() if m.__module__.startswith("earlyhelp.")]


def test_every_personal_data_field_is_classified():
    discovered = personal_data_fields()
    assert len(discovered) > 40, "discovery found too few fields: has the db_comment convention changed?"
    missing = sorted(set(discovered) - set(FIELDS))
    assert not missing, f"personal data with no classification in earlyhelp.privacy.classification: {missing}"


def test_every_classification_names_a_real_personal_data_field():
    discovered = personal_data_fields()
    stale = sorted(set(FIELDS) - set(discovered))
    assert not stale, f"classified, but not a personal data field (renamed, removed or lost its db_comment): {stale}"
    assert set(ROW_RULES) <= set(FIELDS)
    assert all(isinstance(value, Sensitivity) for value in FIELDS.values())


def test_every_db_comment_uses_a_wording_the_inventory_recognises():
    # A column whose db_comment starts some other way would be left out of the classification silently.
    unrecognised = sorted(
        f"{m._meta.label}.{f.name}: {f.db_comment!r}"
        for m in _earlyhelp_models() for f in m._meta.local_concrete_fields
        if f.db_comment and not f.db_comment.startswith(PERSONAL_DATA_COMMENTS)
    )
    assert not unrecognised, unrecognised


def test_history_models_are_left_out_but_copy_only_classified_columns():
    history = [m for m in _earlyhelp_models() if is_history_model(m)]
    assert history, "expected django-simple-history models (e.g. people.HistoricalPerson)"
    assert not any(key.split(".")[1].startswith("Historical") for key in personal_data_fields())
    for model in history:
        for field in model._meta.local_concrete_fields:
            if field.db_comment and field.db_comment.startswith(PERSONAL_DATA_COMMENTS):
                tracked = model.instance_type._meta.get_field(field.name)
                assert sensitivity_of(model, field.name) == FIELDS[f"{tracked.model._meta.label}.{field.name}"]


@pytest.mark.parametrize("field", ["ethnicity", "disability", "special_educational_needs", "expected_date_of_birth"])
def test_well_known_special_category_fields_are_special(field):
    assert sensitivity_of(Person, field) == Sensitivity.SPECIAL
    assert field in protected_fields(Person)


def test_names_and_addresses_are_ordinary():
    assert sensitivity_of(Person, "given_name") == Sensitivity.ORDINARY
    assert "given_name" not in protected_fields(Person)
    assert sensitivity_of(Person(), "date_of_birth") == Sensitivity.ORDINARY


def test_markers_and_free_text_about_the_family_are_protected():
    assert protected_fields(Marker) == ["kind"]
    assert set(protected_fields(DomainFinding)) == {"strengths", "needs"}
    assert sensitivity_of(CaseNote, "text") == Sensitivity.SPECIAL
    assert sensitivity_of(Identifier, "value") == Sensitivity.CRIMINAL


def test_a_field_without_a_classification_is_refused_with_its_name():
    with pytest.raises(LookupError, match=r"people\.Person\.id has no privacy classification"):
        sensitivity_of(Person, "id")
    with pytest.raises(LookupError, match=r"casework\.CaseNote\.is_sensitive"):
        sensitivity_of(CaseNote(), "is_sensitive")
    with pytest.raises(LookupError, match=r"people\.Person\.shoe_size is not a field"):
        sensitivity_of(Person, "shoe_size")


def test_headline_area_sensitivities_are_sensitivity_values():
    area_values = {value for value, _ in HeadlineArea._meta.get_field("sensitivity").choices}
    assert area_values == set(Sensitivity.values)


@pytest.mark.parametrize("area", list(Sensitivity))
def test_a_finding_or_action_row_takes_its_areas_sensitivity(area):
    headline = HeadlineArea(pk=1, code="X", label="X", order=1, sensitivity=area)
    assert sensitivity_of(DomainFinding(area=headline), "needs") == area
    assert sensitivity_of(PlanAction(area=headline), "progress_note") == area


def test_other_rows_follow_what_the_row_records():
    assert sensitivity_of(CaseNote(is_sensitive=False), "text") == Sensitivity.ORDINARY
    assert sensitivity_of(CaseNote(is_sensitive=True), "text") == Sensitivity.SPECIAL
    assert sensitivity_of(Identifier(scheme=IdentifierScheme.PNC), "value") == Sensitivity.CRIMINAL
    assert sensitivity_of(Identifier(scheme=IdentifierScheme.NHS), "value") == Sensitivity.ORDINARY
    assert sensitivity_of(Disclosure(basis=DisclosureBasis.CRIME), "reason") == Sensitivity.CRIMINAL
    assert sensitivity_of(Disclosure(basis=DisclosureBasis.SAFEGUARDING), "reason") == Sensitivity.SPECIAL
