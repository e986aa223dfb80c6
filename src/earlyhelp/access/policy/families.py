"""The access policy: the one place that decides who may see which family, and which parts of it.

A practitioner sees a family only when they are the lead practitioner of its current episode, on
its Team Around the Family (while the episode is open), in the team that holds it, or manage that
team. A person is seen only through the families they are now in. A named
exclusion ("who should not see this") beats every relationship. Restricted families are open only
to the lead, the team's managers and the TAF, never to the wider team. Roles without casework
(front door, data team, DPO, system administrator) see no family pages.

Partners on a TAF see special category and criminal offence sections only as markers, unless
their TAF membership grants more (P16, P18), and only the sections of the record their membership names (P8,
`sections`).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action
from earlyhelp.casework.models import Contact, Episode, TafMember, episode_is_open
from earlyhelp.organisations.models import Organisation
from earlyhelp.people.models import Household, Membership
from earlyhelp.records.prepared import Prepared

from ..models import AccessExclusion, EmergencyAccess
from .decided import remembered
from .refusals import refuse
from .roles import Permission, has_permission, permissions_of
from .sections import SECTIONS, Section, taf_sections

LEAD, TAF, TEAM, MANAGER, EMERGENCY = "lead", "taf", "team", "manager", "emergency"
RELATIONSHIPS = (LEAD, TAF, TEAM, MANAGER, EMERGENCY)


def _relationship_expressions(user, *, now=None) -> dict:
    """One EXISTS expression per relationship a user can have with a household (OuterRef "pk").

    Relationships follow the family's current episode only: once another team holds the family,
    the team, manager and lead of an earlier episode have no rights to it.
    """
    episodes = Episode.objects.filter(household=OuterRef("pk")).current()
    expressions = {
        LEAD: Exists(episodes.filter(lead_practitioner=user)),
        TAF: Exists(
            TafMember.objects.filter(
                episode__household=OuterRef("pk"), practitioner=user, end_date__isnull=True
            ).filter(episode_is_open("episode"))
        ),
    }
    if has_permission(user, Permission.USE_EMERGENCY_ACCESS):
        expressions[EMERGENCY] = Exists(EmergencyAccess.objects.filter(
            household=OuterRef("pk"), user=user, expires_at__gt=now or timezone.now()))
    if user.team_id and has_permission(user, Permission.MANAGE_TEAM):
        expressions[MANAGER] = Exists(episodes.filter(team_id=user.team_id))
    if user.team_id and has_permission(user, Permission.SEE_TEAM_FAMILIES):
        expressions[TEAM] = Exists(episodes.filter(team_id=user.team_id))
    return expressions


def _applies_to(user) -> Q:
    """Exclusions that apply to this user: naming them, or their organisation's type (B3)."""
    organisation_type = Organisation.objects.filter(pk=user.organisation_id).values("type")
    return Q(user=user) | Q(organisation_type__in=organisation_type)


def _excluded(user, household_ref="pk"):
    return Exists(AccessExclusion.objects.filter(_applies_to(user), household=OuterRef(household_ref),
                                                 ended_at__isnull=True))


def active_exclusions(household):
    """Who the family must not be seen by, now: named people and organisation types."""
    return AccessExclusion.objects.filter(household=household, ended_at__isnull=True)


def excluded_organisation_types(household) -> set[str]:
    """The organisation types the family said must not see their information."""
    return set(active_exclusions(household).exclude(organisation_type="").values_list("organisation_type", flat=True))


def exclusion_for(household, *, user=None, organisation=None):
    """The exclusion that keeps this user, or this organisation, away from the family; None if there is none.
    A user is excluded by name or by their organisation's type; an organisation by its type. Sharing
    (`privacy.services.disclosures`) asks this before anything leaves the council."""
    condition = Q(pk__in=[])
    if user is not None:
        condition |= Q(user=user) | Q(organisation_type=user.organisation.type)
    if organisation is not None:
        condition |= Q(organisation_type=organisation.type)
    return active_exclusions(household).filter(condition).order_by("pk").first()


def is_excluded(household, *, user=None, organisation=None) -> bool:
    return exclusion_for(household, user=user, organisation=organisation) is not None


def _may_do_casework(user) -> bool:
    return has_permission(user, Permission.CASEWORK)


def households_visible_to(user) -> QuerySet:
    """Every family this user may open. There is deliberately no wider list."""
    if not _may_do_casework(user):
        return Household.objects.none()
    expr = _relationship_expressions(user)
    any_close = expr[LEAD] | expr[TAF]
    for optional in (MANAGER, EMERGENCY):
        if optional in expr:
            any_close |= expr[optional]
    via_team = (expr[TEAM] & Q(is_restricted=False)) if TEAM in expr else Q(pk__in=[])
    return Household.objects.filter(any_close | via_team).exclude(_excluded(user))


def _current_families(person_ids) -> dict:
    families = {}
    for person_id, household_id in Membership.objects.filter(person_id__in=person_ids, end_date__isnull=True) \
            .values_list("person_id", "household_id"):
        families.setdefault(person_id, set()).add(household_id)
    return families


def visible_people_among(user, person_ids) -> set:
    """Which of these people the user may see: those now in a family the user may open, and in no
    family they may not. Someone who has left a family is no longer visible through it, and a
    person also in a restricted or excluded family stays hidden (their address could reveal where
    that family is)."""
    families = _current_families(person_ids)
    visible = visible_among(user, set().union(*families.values())) if families else set()
    return {person for person, ids in families.items() if ids <= visible}


def person_access(user, person_id) -> list | None:
    """The user's access to each family the person is now in, or None if they may not see the person."""
    if person_id not in visible_people_among(user, [person_id]):
        return None
    return [family_access(user, household_id) for household_id in sorted(_current_families([person_id])[person_id])]


def may_see_all_families_of(user, person) -> bool:
    """True when every family the person is now in is one this user may open (or they are in none)."""
    families = _current_families([person.pk]).get(person.pk, set())
    return families <= visible_among(user, families)


def visible_among(user, household_ids) -> frozenset:
    """Which of these families the user may open (one query, bounded by the ids given; once per request)."""
    if not household_ids:
        return frozenset()
    ids = frozenset(household_ids)
    return remembered(("visible_among", user.pk, ids), lambda: frozenset(
        households_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)))


def hidden_among(user, household_ids) -> set:
    """Which of these families a search or a contact must not describe to this user: restricted ones
    they cannot open, and ones they are named as someone who must not see."""
    if not household_ids:
        return set()
    restricted = set(Household.objects.filter(pk__in=household_ids, is_restricted=True).values_list("pk", flat=True))
    excluded = set(AccessExclusion.objects.filter(_applies_to(user), household_id__in=household_ids,
                                                  ended_at__isnull=True).values_list("household_id", flat=True))
    # Visibility of all of them, not only the restricted: the caller usually asks next (a search's links), and the
    # answer is remembered for the request, so a search costs the same queries whether or not a family is restricted.
    return (restricted - visible_among(user, household_ids)) | excluded


@dataclass(frozen=True)
class FamilyAccess:
    """What one user may see and do on one family's record."""

    household: Household
    relationships: frozenset
    _taf_grant: bool = False
    _taf_sections: frozenset = frozenset()  # the sections the Team Around the Family membership names (P8)

    @property
    def is_partner_only(self) -> bool:
        return self.relationships == frozenset({TAF})

    @property
    def is_emergency_only(self) -> bool:
        """Break-glass: may read (everything is audited and reviewed), may not change the record."""
        return self.relationships == frozenset({EMERGENCY})

    @property
    def sees_special_category(self) -> bool:
        return bool(self.relationships - {TAF}) or self._taf_grant

    @property
    def can_work_on_case(self) -> bool:
        """Record notes, assessments, plans and reviews."""
        return bool(self.relationships & {LEAD, TEAM, MANAGER})

    @property
    def can_manage(self) -> bool:
        """Allocate, approve assessments and closures, step up and down."""
        return MANAGER in self.relationships

    @property
    def can_see_viewers(self) -> bool:
        return MANAGER in self.relationships

    @property
    def sections(self) -> frozenset:
        """The sections of the record this user sees (P8): every one for those who hold the record; for someone
        who sees the family only through its Team Around the Family, those their membership names."""
        if self.is_partner_only:
            return taf_sections(self._taf_sections)
        return frozenset(SECTIONS)

    @property
    def shown(self) -> dict:
        """{section code: shown?}, for templates: `{% if access.shown.plan %}`."""
        visible = self.sections
        return {code: code in visible for code in SECTIONS}

    def shows(self, section: str) -> bool:
        if section not in SECTIONS:
            raise LookupError(f"{section!r} is not a section of the record: see access.policy.sections")
        return section in self.sections

    def shows_action(self, action, user) -> bool:
        """A plan action is shown with the plan, and always to the person doing it."""
        return self.shows(Section.PLAN) or action.owner_id == user.pk

    @property
    def can_see_documents(self) -> bool:
        """Documents go with the case notes, and are always special category (`masking.SENSITIVE_ROWS`)."""
        return self.sees_special_category and self.shows(Section.NOTES)

    @property
    def fingerprint(self) -> str:
        """Everything about this access that can change what the record shows (with the user it was decided for): a
        kept family page (`casework.kept_pages`) is served again only to the same user with the same fingerprint."""
        return "|".join([",".join(sorted(self.relationships)), str(self._taf_grant),
                         ",".join(sorted(self._taf_sections))])


def family_access(user, household_id) -> FamilyAccess | None:
    """The user's access to one family, or None if they have none (decided once per request: `decided`)."""
    if not _may_do_casework(user):
        return None
    return remembered(("family_access", user.pk, getattr(household_id, "pk", household_id)),
                      lambda: _decide_family_access(user, household_id))


def _decision_query(user, *, household_id, now) -> QuerySet:
    """The family, with one column per relationship the user may have with it and whether they are excluded."""
    expressions = _relationship_expressions(user, now=now)
    return Household.objects.filter(pk=household_id).annotate(
        **{f"rel_{name}": expression for name, expression in expressions.items()}, excluded=_excluded(user))


# Built through the ORM once per user and day (it costs more Python than the rest of a family page served kept) and
# run again with the family's id and the time: everything else it depends on is in `_decision_key`.
_DECISION = Prepared(_decision_query, household_id=int, now=datetime.datetime)


def _decision_key(user) -> tuple:
    return user.pk, user.team_id, user.organisation_id, frozenset(permissions_of(user)), timezone.localdate()


def _decide_family_access(user, household_id) -> FamilyAccess | None:
    rows = _DECISION.run(_decision_key(user), user, household_id=int(getattr(household_id, "pk", household_id)),
                        now=timezone.now())
    row = rows[0] if rows else None
    if row is None or row.excluded:
        return None
    relationships = {name for name in RELATIONSHIPS if getattr(row, f"rel_{name}", False)}
    if row.is_restricted:
        relationships.discard(TEAM)
    if not relationships:
        return None
    membership = TafMember.objects.filter(
        episode__household_id=household_id, practitioner=user, end_date__isnull=True,
    ).filter(episode_is_open("episode")).values_list("special_category_access", "sections").first() \
        if TAF in relationships else None
    taf_grant, granted = membership or (False, ())
    return FamilyAccess(household=row, relationships=frozenset(relationships), _taf_grant=taf_grant,
                        _taf_sections=frozenset(granted or ()))


def sections_visible(user, household) -> frozenset:
    """The sections of this family's record the user sees (P8); empty when they may not see the family at all."""
    access = family_access(user, getattr(household, "pk", household))
    return access.sections if access else frozenset()


def require_family(user, household_id, *, purpose, need=None, section=None) -> FamilyAccess:
    """The family's access for this user, or an audited 404.

    `need` names a capability of FamilyAccess (e.g. "can_manage") the action requires; `section` a section of the
    record (`access.policy.sections`) the page shows, which a Team Around the Family member may not have (P8).
    """
    access = family_access(user, household_id)
    if access is None or (need and not getattr(access, need)) or (section and not access.shows(section)):
        refuse(user, household_id=household_id, purpose=purpose)
    return access


def open_family(user, household_id, *, purpose, need=None, event="household.page_view") -> FamilyAccess:
    """`require_family` for a page that shows the family's people or records (a form naming every member, an
    action, a review): the read is audited (VIEW, with the family), as the family page's own read is."""
    access = require_family(user, household_id, purpose=purpose, need=need)
    audit.record(actor=user, action=Action.VIEW, event=event, purpose=purpose,
                 objects=[("people.household", access.household.pk)], household_id=access.household.pk,
                 metadata={"relationships": sorted(access.relationships)})
    return access


def can_see_family_viewers(user, household_id) -> bool:
    """Managers of the holding team and the DPO see who has viewed a family."""
    if has_permission(user, Permission.SEE_ANY_FAMILY_VIEWERS):
        return Household.objects.filter(pk=household_id).exists()
    access = family_access(user, household_id)
    return bool(access and access.can_see_viewers)


def may_take_withdrawal(user, household_id) -> bool:
    """Who may record or process a family's withdrawal of consent: the DPO, or the family's own practitioners."""
    if has_permission(user, Permission.PROCESS_ALL_WITHDRAWALS):
        return True
    access = family_access(user, household_id)
    return bool(access and access.can_work_on_case)


def contacts_visible_to(user) -> QuerySet:
    """The front door sees contacts it recorded; a team sees contacts routed to it."""
    if not permissions_of(user):
        return Contact.objects.none()
    condition = Q(recorded_by=user) if has_permission(user, Permission.SEE_OWN_RECORDED_CONTACTS) else Q(pk__in=[])
    if user.team_id and has_permission(user, Permission.SEE_TEAM_CONTACTS):
        condition |= Q(team_id=user.team_id)
    excluded = _excluded(user, "household_id")
    visible = Exists(households_visible_to(user).filter(pk=OuterRef("household_id")))
    return Contact.objects.filter(condition).exclude(excluded).exclude(Q(household__is_restricted=True) & ~visible)


def may_record_contact_about(user, household) -> bool:
    return has_permission(user, Permission.RECORD_CONTACTS) and household.pk not in hidden_among(user, {household.pk})
