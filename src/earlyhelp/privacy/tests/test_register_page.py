"""The DPO's processing register page: read, edit with history and audit, publish the notice (P15)."""

import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.privacy import retention_wording
from earlyhelp.privacy.models import PrivacyNotice, ProcessingPurpose
from earlyhelp.privacy.services import notices, register
from earlyhelp.retention import presets

pytestmark = pytest.mark.django_db

CODE = "statistics"


def _purpose(code=CODE):
    return ProcessingPurpose.objects.get(code=code)


def _snapshot(purpose):
    purpose = ProcessingPurpose.objects.get(pk=purpose.pk)
    return {field: getattr(purpose, field) for field in register.EDITABLE_FIELDS}


def _form_data(purpose, **changes):
    """What the edit form posts for `purpose` as it stands, with `changes` (None leaves a field out)."""
    data = {
        "name": purpose.name, "description": purpose.description, "article_6": purpose.article_6,
        "article_9": purpose.article_9, "schedule_1_condition": purpose.schedule_1_condition,
        "article_10": purpose.article_10, "data_categories": "\n".join(purpose.data_categories),
        "special_category": "\n".join(purpose.special_category), "data_subjects": "\n".join(purpose.data_subjects),
        "recipient_types": list(purpose.recipient_types), "retention": purpose.retention,
        "retention_note": purpose.retention_note, "statutes": "\n".join(purpose.statutes),
        "processing_location": purpose.processing_location, "sources": "\n".join(purpose.sources),
        "change_reason": "",
    }
    for field in register.BOOLEAN_FIELDS:
        if getattr(purpose, field):
            data[field] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _events(**filters):
    return AuditEvent.objects.filter(**filters)


def _edit(client, purpose, **changes):
    return client.post(reverse("web:register-purpose-edit", args=[purpose.pk]), _form_data(purpose, **changes))


@pytest.fixture
def dpo_client(client, world):
    client.force_login(world.dpo)
    return client


# --- Reading ------------------------------------------------------------------------------------

@pytest.mark.promise("P15")
def test_the_dpo_sees_every_purpose_with_its_lawful_basis_and_the_published_version(dpo_client, world):
    register.save_purpose(by=world.dpo, purpose=_purpose("multi_agency_sharing"), is_active=False, reason="Study ended")
    presets.load_presets(record=False)
    page = html.unescape(dpo_client.get(reverse("web:register")).content.decode())
    for purpose in ProcessingPurpose.objects.all():  # in use or not
        assert f'id="purpose-{purpose.code}"' in page
        assert purpose.name in page
    assert "Article 6(1)(e): public task" in page and "Article 9(2)(g): substantial public interest" in page
    assert "Not in use" in page and "6 years after the case closes" in page  # retention in words, not codes
    assert "6 years after each entry is written" in page and "CASE+6" not in page
    assert "the Office for National Statistics" in page  # recipients in words, not codes
    assert f"Version {notices.current_notice().version} was published" in page
    assert _events(actor_id=world.dpo.pk, action=Action.VIEW, event="processing_register.view").exists()


@pytest.mark.promise("P15")
def test_a_purpose_page_shows_every_field_and_is_audited(dpo_client, world):
    purpose = _purpose()
    page = html.unescape(dpo_client.get(reverse("web:register-purpose", args=[purpose.pk])).content.decode())
    assert purpose.name in page and "1 year" in page and "EVENT+1" not in page  # a code with no rule: its period
    assert "Shropshire Council, privacy notice for Supporting Families through Early Help" in page
    assert ".txt" not in page  # sources by council and title, not file names
    assert "the government department that runs the Supporting Families programme" in page
    assert "Article 10 condition" in page and "Change history" in page
    assert reverse("web:register-purpose-edit", args=[purpose.pk]) in page
    event = _events(actor_id=world.dpo.pk, event="processing_purpose.view").get()
    assert event.object_ids == [purpose.pk] and event.action == Action.VIEW


def test_the_dashboard_links_the_dpo_and_nobody_else_to_the_register(client, world):
    client.force_login(world.dpo)
    assert reverse("web:register") in client.get(reverse("web:dashboard")).content.decode()
    client.force_login(world.manager)
    assert reverse("web:register") not in client.get(reverse("web:dashboard")).content.decode()


def test_the_form_says_which_questions_are_optional(dpo_client):
    page = dpo_client.get(reverse("web:register-purpose-edit", args=[_purpose().pk])).content.decode()
    for optional in ("Laws we rely on (optional)", "Sources (optional)", "Special category data (optional)",
                     "Who we may share it with (optional)", "Why are you making this change? (optional)"):
        assert optional in page
    for required in ("Name", "Article 6 lawful basis", "Retention rule", "Categories of personal data",
                     "Article 9 condition", "Article 10 condition (criminal offence data)"):
        assert f"{required} (optional)" not in page
    assert 'type="checkbox" value="ons" checked' not in page  # statistics goes to the department, not ONS
    assert 'name="recipient_types" type="checkbox" value="dluhc_dfe" checked' in page


# --- Who may ------------------------------------------------------------------------------------

PAGES = [("web:register", False), ("web:register-purpose", True), ("web:register-purpose-edit", True),
         ("web:register-purpose-new", False), ("web:register-publish", False)]


@pytest.mark.parametrize("who", ["manager", "lead", "partner", "front_door", "data_team"])
def test_anyone_but_the_dpo_gets_404_and_the_refusal_is_audited(client, world, who):
    user = getattr(world, who)
    client.force_login(user)
    purpose = _purpose()
    before = _snapshot(purpose)
    for name, takes_id in PAGES:
        url = reverse(name, args=[purpose.pk] if takes_id else [])
        assert client.get(url).status_code == 404, url
    assert _edit(client, purpose, retention="EVENT+9").status_code == 404
    assert client.post(reverse("web:register-publish")).status_code == 404
    assert _snapshot(purpose) == before
    assert PrivacyNotice.objects.count() == 1
    refusals = _events(actor_id=user.pk, action=Action.DENIED, event="processingpurpose.denied")
    assert refusals.count() == len(PAGES) + 2
    assert [purpose.pk] in [e.object_ids for e in refusals]
    assert not _events(actor_id=user.pk, action__in=[Action.VIEW, Action.CHANGE],
                       event__startswith="processing_").exists()


def test_a_system_administrator_may_read_the_register_but_not_change_it(client, world):
    client.force_login(world.admin)
    purpose = _purpose()
    assert client.get(reverse("web:register")).status_code == 200
    page = client.get(reverse("web:register-purpose", args=[purpose.pk])).content.decode()
    assert reverse("web:register-purpose-edit", args=[purpose.pk]) not in page
    assert client.get(reverse("web:register-purpose-edit", args=[purpose.pk])).status_code == 404
    assert client.post(reverse("web:register-publish")).status_code == 404
    assert _events(actor_id=world.admin.pk, action=Action.DENIED).count() == 2


def test_only_the_dpo_may_call_the_service(world):
    with pytest.raises(PermissionDenied):
        register.save_purpose(by=world.manager, purpose=_purpose(), retention="EVENT+2")
    with pytest.raises(PermissionDenied):
        register.publish(by=world.admin)


def test_a_purpose_that_does_not_exist_is_an_audited_404(dpo_client, world):
    assert dpo_client.get(reverse("web:register-purpose", args=[999999])).status_code == 404
    assert _events(actor_id=world.dpo.pk, action=Action.DENIED).get().object_ids == [999999]


# --- Changing -----------------------------------------------------------------------------------

@pytest.mark.promise("P15")
def test_the_dpo_edits_a_purpose_and_the_change_keeps_history_and_is_audited(dpo_client, world):
    purpose = _purpose()
    response = _edit(dpo_client, purpose, retention="EVENT+2", article_6="6(1)(c)",
                     statutes="Children Act 2004 s10\nLocal Government Act 1972 s111",
                     recipient_types=["local_authority", "dluhc_dfe", "ons"], change_reason="New council schedule")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:register-purpose", args=[purpose.pk])
    purpose.refresh_from_db()
    assert purpose.retention == "EVENT+2" and purpose.article_6 == "6(1)(c)"
    assert purpose.statutes == ["Children Act 2004 s10", "Local Government Act 1972 s111"]
    assert purpose.recipient_types == ["local_authority", "dluhc_dfe", "ons"]

    latest, baseline = purpose.history.order_by("-history_date", "-history_id")[:2]
    assert latest.history_user == world.dpo and latest.history_change_reason == "New council schedule"
    assert baseline.retention == "EVENT+1" and baseline.history_user is None  # how it read before

    event = _events(actor_id=world.dpo.pk, action=Action.CHANGE, event="processing_purpose.change").get()
    assert event.object_ids == [purpose.pk]
    assert event.metadata["fields"] == ["article_6", "recipient_types", "retention", "statutes"]

    page = dpo_client.get(response["Location"]).content.decode()
    assert "your changes are saved" in page
    assert "New council schedule" in page and world.dpo.get_full_name() in page
    words = retention_wording.in_words(["EVENT+1", "EVENT+2"])  # the register says retention in words
    assert f"from “{words['EVENT+1']}” to “{words['EVENT+2']}”" in page
    assert "from “Article 6(1)(e): public task” to “Article 6(1)(c): legal obligation”" in page


def test_saving_the_form_unchanged_records_nothing(dpo_client, world):
    purpose = _purpose()
    assert _edit(dpo_client, purpose).status_code == 302
    assert not purpose.history.exists()
    assert not _events(action=Action.CHANGE).exists()


@pytest.mark.promise("P15")
def test_the_dpo_adds_a_purpose(dpo_client, world):
    data = _form_data(_purpose(), code="youth_justice_prevention", name="Preventing youth offending",
                      change_reason=None)
    response = dpo_client.post(reverse("web:register-purpose-new"), data)
    assert response.status_code == 302
    purpose = _purpose("youth_justice_prevention")
    assert purpose.article_6 == "6(1)(e)" and purpose.history.get().history_user == world.dpo
    assert _events(actor_id=world.dpo.pk, action=Action.CREATE, event="processing_purpose.create").get().object_ids \
        == [purpose.pk]
    page = dpo_client.get(reverse("web:register")).content.decode()
    assert 'id="register-changed"' in page and "Added: Preventing youth offending" in page


@pytest.mark.parametrize("code, message", [
    (CODE, "A purpose with this code is already in the register"),
    ("Youth_Justice", "Code must contain only lower-case letters"),
    ("youth justice", "Code must contain only lower-case letters"),
    ("", "Enter a code for the purpose"),
])
def test_a_new_purpose_needs_a_new_well_formed_code(dpo_client, code, message):
    count = ProcessingPurpose.objects.count()
    data = _form_data(_purpose(), code=code, change_reason=None)
    page = dpo_client.post(reverse("web:register-purpose-new"), data).content.decode()
    assert message in page and 'href="#id_code"' in page
    assert ProcessingPurpose.objects.count() == count


BAD_INPUT = [
    pytest.param({"article_6": ""}, "article_6", "Choose the Article 6 lawful basis", id="no-lawful-basis"),
    pytest.param({"article_6": "6(1)(f)"}, "article_6", "Choose an Article 6 lawful basis from the list",
                 id="legitimate-interests-is-not-for-a-council"),
    pytest.param({"processing_location": "United States"}, "processing_location",
                 "All processing must happen in the United Kingdom", id="outside-the-uk"),
    pytest.param({"automated_decisions": "on"}, "automated_decisions", "a person makes every decision",
                 id="automated-decisions"),
    pytest.param({"recipient_types": ["local_authority", "marketing_firm"]}, "recipient_types",
                 "“marketing_firm” is not a recipient the register knows", id="unknown-recipient"),
    pytest.param({"article_9": "", "schedule_1_condition": ""}, "article_9",
                 "Special category data needs an Article 9 condition", id="special-category-without-condition"),
    pytest.param({"schedule_1_condition": ""}, "schedule_1_condition", "needs the DPA 2018 Schedule 1 condition",
                 id="substantial-public-interest-without-schedule-1"),
    pytest.param({"article_10": ""}, "article_10", "Criminal offence data needs an Article 10",
                 id="criminal-offence-data-without-condition"),
    pytest.param({"data_categories": " \n "}, "data_categories", "Enter at least one category of personal data",
                 id="no-data-categories"),
]


@pytest.mark.promise("P15")
@pytest.mark.parametrize("changes, field, message", BAD_INPUT)
def test_bad_input_gets_a_specific_error_and_nothing_changes(dpo_client, world, changes, field, message):
    purpose = _purpose()
    before = _snapshot(purpose)
    response = _edit(dpo_client, purpose, retention="EVENT+5", **changes)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    assert f'id="id_{field}-error"' in page  # the message is on the question, and the summary links to it
    assert f'href="#id_{field}"' in page
    assert _snapshot(purpose) == before
    assert not purpose.history.exists()
    assert not _events(action__in=[Action.CHANGE, Action.CREATE]).exists()


def test_every_problem_is_shown_at_once(dpo_client):
    purpose = _purpose()
    page = _edit(dpo_client, purpose, article_6="", processing_location="France", automated_decisions="on",
                 recipient_types=["marketing_firm"]).content.decode()
    for field in ("article_6", "processing_location", "automated_decisions", "recipient_types"):
        assert f'href="#id_{field}"' in page


SERVICE_BAD_INPUT = [
    ({"article_6": ""}, "article_6"),
    ({"processing_location": "France"}, "processing_location"),
    ({"automated_decisions": True}, "automated_decisions"),
    ({"recipient_types": ["marketing_firm"]}, "recipient_types"),
    ({"code": "renamed"}, "code"),
    ({"data_subjects": "children"}, "data_subjects"),  # a list is one item per entry, not a string
]


@pytest.mark.parametrize("changes, field", SERVICE_BAD_INPUT)
def test_the_service_refuses_bad_input_whoever_calls_it(world, changes, field):
    purpose = _purpose()
    before = _snapshot(purpose)
    with pytest.raises(ValidationError) as caught:
        register.save_purpose(by=world.dpo, purpose=purpose, **changes)
    assert list(caught.value.message_dict) == [field]
    assert "This field" not in " ".join(caught.value.messages)  # says what is wrong, not Django's default
    assert _snapshot(purpose) == before
    assert {f: getattr(purpose, f) for f in register.EDITABLE_FIELDS} == before  # the caller's copy too
    assert not purpose.history.exists()


def test_a_purpose_the_system_records_its_work_under_stays_in_use(world):
    with pytest.raises(ValidationError, match="must stay in use"):
        register.save_purpose(by=world.dpo, purpose=_purpose("early_help_casework"), is_active=False)
    assert _purpose("early_help_casework").is_active


# --- Publishing ---------------------------------------------------------------------------------

@pytest.mark.promise("P15")
def test_an_edit_shows_a_warning_until_a_new_notice_version_is_published_with_it(dpo_client, world):
    notices.publish_notice(by=world.dpo)  # start from a notice that matches the register
    version = notices.current_notice().version
    register_url = reverse("web:register")
    page = dpo_client.get(register_url).content.decode()
    assert 'id="register-published"' in page and 'id="register-changed"' not in page

    purpose = _purpose()
    _edit(dpo_client, purpose, retention_note="Working files are deleted 2 years after a report is produced.")
    page = dpo_client.get(register_url).content.decode()
    assert 'id="register-changed"' in page
    assert f"The register has changed since version {version} of the privacy notice was published" in page
    assert f"Changed: {purpose.name} (Retention in plain English)" in page

    confirm = dpo_client.get(reverse("web:register-publish")).content.decode()
    assert f"Publish version {version + 1} of the privacy notice" in confirm
    assert PrivacyNotice.objects.count() == version  # a GET publishes nothing

    response = dpo_client.post(reverse("web:register-publish"))
    assert response.status_code == 302
    notice = notices.current_notice()
    assert notice.version == version + 1 and notice.published_by == world.dpo
    published = {p["code"]: p for p in notice.content["purposes"]}
    assert published[CODE]["retention_note"] == "Working files are deleted 2 years after a report is produced."
    assert _events(actor_id=world.dpo.pk, event="privacy_notice.publish").exists()

    page = dpo_client.get(register_url).content.decode()
    assert f"Privacy notice version {version + 1} is published" in page
    assert 'id="register-published"' in page and 'id="register-changed"' not in page
    public = dpo_client.get(reverse("web:privacy-notice")).content.decode()
    assert "2 years after a report is produced" in public


def test_publishing_when_nothing_has_changed_is_refused(dpo_client, world):
    notices.publish_notice(by=world.dpo)
    count = PrivacyNotice.objects.count()
    assert "There is nothing new to publish" in dpo_client.get(reverse("web:register-publish")).content.decode()
    response = dpo_client.post(reverse("web:register-publish"), follow=True)
    assert "there is nothing new to publish" in response.content.decode()
    assert PrivacyNotice.objects.count() == count


def test_a_purpose_no_longer_in_use_leaves_the_next_notice(dpo_client, world):
    notices.publish_notice(by=world.dpo)
    purpose = _purpose("multi_agency_sharing")
    assert _edit(dpo_client, purpose, is_active=None, change_reason="Study ended").status_code == 302
    assert f"No longer in the notice: {purpose.name}" in dpo_client.get(reverse("web:register")).content.decode()
    dpo_client.post(reverse("web:register-publish"))
    assert "multi_agency_sharing" not in {p["code"] for p in notices.current_notice().content["purposes"]}
