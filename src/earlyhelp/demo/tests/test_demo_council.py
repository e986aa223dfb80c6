"""The synthetic demo council: complete, valid, deterministic, and safe to load again.

Most tests read one small council (40 families) built once for this module inside a transaction
that is rolled back at the end. The tests that need a database without a demo council come first.
"""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from earlyhelp.access.models import AccessExclusion
from earlyhelp.access.policy import family_access, households_visible_to
from earlyhelp.audit.models import AuditEvent
from earlyhelp.audit.services import verify_chain
from earlyhelp.casework.models import (
    ActionStatus,
    Assessment,
    AssessmentStatus,
    CaseNote,
    ClosureReason,
    Contact,
    ContactSource,
    ContactStatus,
    DomainFinding,
    Episode,
    EpisodeStatus,
    PlanAction,
    Review,
    TafMember,
    Transition,
    TransitionKind,
)
from earlyhelp.demo import generator
from earlyhelp.organisations.models import (
    Organisation,
    OrganisationType,
    Role,
    Team,
    User,
)
from earlyhelp.people import identifiers
from earlyhelp.people.models import (
    Address,
    Household,
    Identifier,
    Marker,
    MarkerKind,
    MemberRole,
    Membership,
    Person,
    Relationship,
)
from earlyhelp.people.services import name_key
from earlyhelp.privacy.models import Consent, Disclosure, Panel, RecipientKind, recipient_choices
from earlyhelp.privacy.services import consent as consents
from earlyhelp.programme.models import Need
from earlyhelp.retention import selectors as retention_selectors
from earlyhelp.retention.models import LegalHold, RetentionRule
from earlyhelp.retention.services import holds

FAMILIES = 40
SEED = 4242
TODAY = timezone.localdate()


def digest():
    rows = Person.objects.order_by("pk").values_list("given_name", "family_name", "date_of_birth",
                                                     "expected_date_of_birth")
    households = Household.objects.order_by("pk").values_list("is_restricted", flat=True)
    episodes = Episode.objects.order_by("pk").values_list("status", "closure_reason", "opened_on")
    needs = Need.objects.order_by("household_id", "episode_id", "descriptor__code", "person_id").values_list(
        "household_id", "episode_id", "person_id", "descriptor__code", "status", "identified_on", "source_kind")
    return hashlib.sha256(repr((list(rows), list(households), list(episodes), list(needs))).encode()).hexdigest()


# --- Without a demo council (these run before the module's council is built) ---------------------

@pytest.mark.django_db
def test_command_refuses_a_database_holding_data_the_demo_did_not_load():
    assert not generator.demo_loaded(), "this test must run before the module's council fixture"
    Organisation.objects.create(name="Real Council", type=OrganisationType.LOCAL_AUTHORITY)
    with pytest.raises(CommandError, match="did not load"):
        call_command("load_demo_council", families=2, stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="did not load"):
        call_command("load_demo_council", families=2, force=True, stdout=io.StringIO(), stderr=io.StringIO())
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_command_loads_shows_progress_and_sign_ins_then_skips():
    assert not generator.demo_loaded(), "this test must run before the module's council fixture"
    out, err = io.StringIO(), io.StringIO()
    call_command("load_demo_council", families=3, seed=SEED, stdout=out, stderr=err)
    assert Household.objects.count() == 3
    assert "Families: 3 / 3" in err.getvalue()
    text = out.getvalue()
    assert generator.SIGN_IN_URL in text and generator.DEMO_PASSWORD in text
    for username in generator.DEMO_USERS:
        assert f"  {username} " in text
    out = io.StringIO()
    call_command("load_demo_council", families=3, seed=SEED, stdout=out, stderr=io.StringIO())
    assert "already loaded" in out.getvalue()
    assert Household.objects.count() == 3


# --- One small council for the rest of the module ---------------------------------------------------

@pytest.fixture(scope="module")
def council(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            result = generator.generate_council(families=FAMILIES, seed=SEED, today=TODAY)
            yield result
            transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_counts_are_returned_and_people_are_realistic(council):
    assert council.counts["people.Household"] == FAMILIES
    assert Household.objects.count() == FAMILIES
    people = Person.objects.count()
    assert 2.5 * FAMILIES <= people <= 6 * FAMILIES
    assert Household.objects.filter(reference="F%07d" % Household.objects.order_by("pk").first().pk).exists()
    for household in Household.objects.all():
        roles = list(household.memberships.values_list("role", flat=True))
        assert 1 <= roles.count(MemberRole.PARENT_CARER) <= 2
        assert 1 <= roles.count(MemberRole.CHILD) <= 4


def test_the_same_seed_gives_the_same_council_and_another_seed_does_not(council):
    first = digest()
    generator.wipe_demo_data()
    assert not Person.objects.exists() and not User.objects.exists()
    generator.generate_council(families=FAMILIES, seed=SEED, today=TODAY)
    assert digest() == first
    generator.wipe_demo_data()
    generator.generate_council(families=FAMILIES, seed=SEED + 1, today=TODAY)
    assert digest() != first


def test_every_role_and_every_organisation_type(council):
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    # An organisation of every partner type in the register, Fire and Rescue included (P21).
    assert set(Organisation.objects.values_list("type", flat=True)) == {
        code for code, _ in recipient_choices(kind=RecipientKind.PARTNER)}
    assert Organisation.objects.filter(type="fire_and_rescue").exists()
    council_org = Organisation.objects.get(type=OrganisationType.LOCAL_AUTHORITY)
    assert [t.name for t in Team.objects.order_by("pk")] == [name for name, _ in generator.TEAM_NAMES]
    for team in Team.objects.all():
        assert team.organisation == council_org
        assert team.members.filter(role=Role.TEAM_MANAGER).count() == 1
        assert team.members.filter(role=Role.LEAD_PRACTITIONER).count() >= 6
    assert User.objects.filter(role=Role.FRONT_DOOR).count() == 3
    assert User.objects.filter(role=Role.DATA_TEAM).count() == 2
    admin = User.objects.get(role=Role.SYSTEM_ADMIN)
    assert admin.is_staff and admin.is_superuser
    assert User.objects.filter(role=Role.PARTNER_PROFESSIONAL).values("organisation").distinct().count() >= 5


def test_demo_sign_ins_one_per_role_with_the_demo_password(council):
    users = {u.username: u for u in User.objects.filter(username__in=generator.DEMO_USERS)}
    assert {name: u.role for name, u in users.items()} == generator.DEMO_USERS
    assert users["lead"].team.name == users["manager"].team.name == "North Early Help"
    assert all(u.check_password(generator.DEMO_PASSWORD) for u in users.values())
    assert len({u.password for u in User.objects.all()}) == 1  # hashed once, shared
    assert [s.username for s in council.sign_ins] == list(generator.DEMO_USERS)


def test_demo_lead_and_partner_have_work_and_the_data_team_sees_no_family(council):
    lead, partner, data = (User.objects.get(username=n) for n in ("lead", "partner", "data"))
    assert Episode.objects.filter(lead_practitioner=lead).exclude(status=EpisodeStatus.CLOSED).count() >= 5
    assert TafMember.objects.filter(practitioner=partner, end_date__isnull=True).exclude(
        episode__status=EpisodeStatus.CLOSED).count() >= 3
    assert households_visible_to(lead).exists()
    assert households_visible_to(partner).exists()
    assert not households_visible_to(data).exists()
    for username in ("frontdoor", "dpo", "admin"):
        assert not households_visible_to(User.objects.get(username=username)).exists()


def test_every_stage_of_the_lifecycle_is_present(council):
    assert set(Contact.objects.values_list("status", flat=True)) == set(ContactStatus.values)
    assert Contact.objects.filter(status=ContactStatus.AWAITING_DECISION, episode__isnull=True).exists()
    assert set(Episode.objects.values_list("status", flat=True)) == set(EpisodeStatus.values)
    closed_reasons = set(Episode.objects.filter(status=EpisodeStatus.CLOSED).values_list("closure_reason", flat=True))
    assert closed_reasons == set(ClosureReason.values)
    open_episodes = Episode.objects.exclude(status=EpisodeStatus.CLOSED)
    assert open_episodes.filter(lead_practitioner__isnull=True).exists()
    assert open_episodes.filter(lead_practitioner__isnull=False, assessments__isnull=True).exists()
    assert set(Assessment.objects.values_list("status", flat=True)) == set(AssessmentStatus.values)
    assert set(PlanAction.objects.values_list("status", flat=True)) == set(ActionStatus.values)
    owners = set(PlanAction.objects.values_list("owner__role", flat=True))
    assert {Role.LEAD_PRACTITIONER, Role.PARTNER_PROFESSIONAL} <= owners
    pending = Review.objects.filter(held_on__isnull=True, episode__in=open_episodes)
    assert pending.filter(due_on__lt=TODAY).exists() and pending.filter(due_on__gte=TODAY).exists()
    assert Review.objects.filter(held_on__isnull=False).exists()
    assert Episode.objects.filter(status=EpisodeStatus.CLOSED, family_feedback_declined=True).exists()
    assert Episode.objects.filter(status=EpisodeStatus.CLOSED).exclude(family_feedback="").exists()
    step_up = Transition.objects.filter(kind=TransitionKind.STEP_UP)
    assert step_up.exists()
    stepped_up_household = step_up.first().episode.household_id
    assert Marker.objects.filter(kind=MarkerKind.OPEN_TO_CSC,
                                 person__memberships__household_id=stepped_up_household).exists()
    step_downs = Transition.objects.filter(kind=TransitionKind.STEP_DOWN, episode__status=EpisodeStatus.OPEN)
    assert step_downs.exists()
    assert all(t.episode.contact.source == ContactSource.CSC for t in step_downs)
    returning = [h for h in Household.objects.all()
                 if h.episodes.filter(status=EpisodeStatus.CLOSED).exists()
                 and h.episodes.exclude(status=EpisodeStatus.CLOSED).exists()]
    assert returning
    assert TafMember.objects.filter(special_category_access=True).exists()
    # P8: members see what their part needs, not the whole record.
    assert {tuple(sections) for sections in TafMember.objects.values_list("sections", flat=True)} == {
        ("episode", "household", "plan"), ("assessment", "episode", "household", "plan", "reviews")}
    assert CaseNote.objects.filter(is_sensitive=True).exists() and CaseNote.objects.filter(is_sensitive=False).exists()
    assert len(set(CaseNote.objects.values_list("channel", flat=True))) >= 4
    scores = set(DomainFinding.objects.values_list("score", flat=True))
    assert scores <= {1, 2, 3, 4, 5} and len(scores) >= 4
    assert set(Marker.objects.values_list("kind", flat=True)) == set(MarkerKind.values)


def test_closure_fields_agree_with_status(council):
    for episode in Episode.objects.all():
        if episode.status == EpisodeStatus.OPEN:
            assert episode.closure_reason == "" and episode.closed_on is None
        elif episode.status == EpisodeStatus.CLOSURE_REQUESTED:
            assert episode.closure_reason and episode.closure_requested_by_id and episode.closed_on is None
        else:
            assert episode.closure_reason and episode.closed_by_id and episode.closed_on >= episode.opened_on
            assert not episode.reviews.filter(held_on__isnull=True).exists()
        if episode.status != EpisodeStatus.OPEN and episode.closure_reason != ClosureReason.STEPPED_UP:
            assert episode.family_feedback or episode.family_feedback_declined
    for household in Household.objects.all():
        episodes = list(household.episodes.order_by("-opened_on"))
        assert sum(e.status != EpisodeStatus.CLOSED for e in episodes) <= 1
        if episodes:  # the current episode: the open one, or the latest once closed
            assert [e for e in episodes if e.is_current] == [episodes[0]]
            assert all(e.status == EpisodeStatus.CLOSED for e in episodes[1:])


def test_people_households_and_identifiers_are_valid(council):
    for scheme in identifiers.IdentifierScheme.values:
        assert Identifier.objects.filter(scheme=scheme).exists(), scheme
    for identifier in Identifier.objects.all():
        assert identifiers.validate(identifier.scheme, identifier.value) == identifier.value
    for person in Person.objects.all():
        assert person.family_name_key == name_key(person.family_name)
        assert person.given_name_key == name_key(person.given_name)
        assert (person.date_of_birth is None) != (person.expected_date_of_birth is None)
    assert Person.objects.filter(expected_date_of_birth__isnull=False).exists()
    assert Person.objects.filter(interpreter_needed=True).exists()
    assert Person.objects.exclude(first_language__in=["", "English"]).exists()
    assert Membership.objects.filter(role=MemberRole.SIGNIFICANT_OTHER, lives_in_household=False).exists()
    assert Relationship.objects.filter(has_parental_responsibility=True).exists()
    for address in Address.objects.all():
        identifiers.validate_postcode(address.postcode)
    assert Address.objects.filter(valid_to__isnull=False).exists()  # some families moved house
    children = Person.objects.filter(memberships__role=MemberRole.CHILD)
    assert all(0 <= c.age_on(TODAY) <= 17 for c in children)


def test_restricted_families_and_exclusions(council):
    assert Household.objects.filter(is_restricted=True).exists()
    exclusions = list(AccessExclusion.objects.filter(user__isnull=False).select_related("user"))
    assert exclusions
    for exclusion in exclusions:
        assert family_access(exclusion.user, exclusion.household_id) is None
        assert not Episode.objects.filter(household_id=exclusion.household_id,
                                          lead_practitioner=exclusion.user).exists()


def test_database_constraints_hold_at_commit(council):
    # Foreign keys are checked at commit, which the rolled-back test transaction never reaches.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []
        elif connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_one_audit_event_and_the_chain_verifies(council):
    assert AuditEvent.objects.filter(event="demo.load").count() == 1
    event = AuditEvent.objects.get(event="demo.load")
    assert event.metadata == {"families": FAMILIES} and event.actor_id is None
    checked, problem = verify_chain()
    assert problem is None and checked == AuditEvent.objects.count()


def test_command_skips_when_loaded_and_force_replaces_the_demo(council):
    out = io.StringIO()
    call_command("load_demo_council", families=5, stdout=out, stderr=io.StringIO())
    assert "already loaded" in out.getvalue()
    assert Household.objects.count() == FAMILIES
    call_command("load_demo_council", families=5, force=True, stdout=io.StringIO(), stderr=io.StringIO())
    assert Household.objects.count() == 5
    assert User.objects.filter(username="manager").count() == 1
    assert verify_chain()[1] is None


def test_allocated_families_have_signed_consent_covering_their_team_around_the_family(council):
    allocated = Episode.objects.filter(lead_practitioner__isnull=False, is_current=True).exclude(status="closed")
    assert allocated.exists()
    for episode in allocated[:20]:
        assert Consent.objects.filter(household=episode.household, status="active").exists()
        for member in episode.taf_members.select_related("organisation"):
            assert consents.sharing_permitted(episode.household, member.organisation.type)


@pytest.mark.promise("P26", "P21")
def test_the_demo_has_a_multi_agency_panel_and_a_pack_logged_to_every_member(council):
    panel = Panel.objects.get(name="Multi-Agency Support Group")
    types = set(panel.members.values_list("type", flat=True))
    assert len(types) >= 5 and "fire_and_rescue" in types
    logged = Disclosure.objects.filter(panel=panel)
    assert {d.recipient_organisation_id for d in logged} == set(panel.members.values_list("pk", flat=True))
    assert len({d.pack_reference for d in logged}) == 1
    assert panel.history.count() == 1


@pytest.mark.promise("P6", "P2")
def test_the_demo_council_needs_signed_consent_and_shows_a_family_without_it(council):
    """Wigan-style rule on; the spotlight family at "allocated" agreed to sharing only, so starting its assessment
    is refused with the service's message. It also named an organisation type that must not see it (B3)."""
    from django.core.exceptions import ValidationError

    from earlyhelp.casework import services as casework
    from earlyhelp.privacy import messages
    from earlyhelp.privacy.models import ConsentRules

    rules = ConsentRules.current()
    assert rules.support_needs_consent and not rules.verbal_consent_enough
    assert consents.consent_rules_history()[0]["reason"].startswith("Signed consent is one of the four principles")
    exclusion = AccessExclusion.objects.select_related("consent", "household").get(organisation_type__gt="")
    assert exclusion.consent is not None and not exclusion.consent.covers_support
    household = exclusion.household
    assert consents.support_consent_gap(household) == messages.SUPPORT_NEEDS_CONSENT
    episode = household.episodes.get(is_current=True)
    assert episode.lead_practitioner.username == "lead"
    with pytest.raises(ValidationError, match="not given consent to early help support"):
        casework.start_assessment(by=episode.lead_practitioner, episode=episode, reason="Demo")
    outsiders = User.objects.filter(organisation__type=exclusion.organisation_type)
    assert outsiders.exists()
    for user in outsiders:
        assert family_access(user, household.pk) is None


def test_the_demo_registers_hold_a_breach_of_each_kind_a_dpia_and_agreements_current_and_ended(council):
    from earlyhelp.demo import registers
    from earlyhelp.demo.matching import FILES
    from earlyhelp.matching.models import DatasetType, ImportBatch
    from earlyhelp.privacy.models import Breach, DataSharingAgreement, Dpia

    breaches = {b.reported_late: b for b in Breach.objects.all()}
    assert set(breaches) == {False, True} and breaches[True].late_reason and not breaches[False].late_reason
    assert all(b.ico_reference for b in breaches.values())
    dpia = Dpia.objects.get()
    assert [p.code for p in dpia.purposes.all()] == ["data_matching"] and dpia.review_on > TODAY
    current = DataSharingAgreement.objects.get(reference=registers.MATCHING_AGREEMENT)
    ended = DataSharingAgreement.objects.get(reference=registers.ENDED_AGREEMENT)
    assert current.in_force_on(TODAY) and ended.standing_on(TODAY) == "Ended"
    for _, partner_type, _, _ in FILES:  # every partner file the demo imports finds the agreement it cites
        partner = Organisation.objects.filter(type=partner_type, is_active=True).order_by("pk").first()
        assert registers.agreement_for(partner, on=TODAY) == current
    programme_file = ImportBatch.objects.get(dataset_type=DatasetType.DWP_OUT_OF_WORK)
    assert programme_file.agreement == current and programme_file.sharing_agreement_reference == current.reference


def test_some_closed_families_are_due_for_disposal_today_and_not_held(council):
    """The disposal and certificate journey can be tried on the demo: the retention review finds families whose
    case closed more than six years ago, some of them not kept by the IICSA hold."""
    rule = RetentionRule.objects.get(code="CASE+6")
    due = set(retention_selectors.due_household_ids(rule, today=TODAY))
    held = set(holds.households_covered(LegalHold.objects.get()).values_list("pk", flat=True))
    assert due - held
    for household in Household.objects.filter(pk__in=due - held):
        closed = household.episodes.values_list("closed_on", flat=True)
        assert all(day is not None and day < TODAY.replace(year=TODAY.year - 6) for day in closed)
        eldest = min(m.person.date_of_birth for m in household.memberships.select_related("person")
                     if m.person.date_of_birth)
        assert eldest < household.episodes.latest("opened_on").opened_on  # a child then, not unborn
