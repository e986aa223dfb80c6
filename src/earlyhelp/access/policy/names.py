"""How a family is named in a list and on its page, and to whom (one rule: `_surnames` and `_named`).

A practitioner knows a family by its name and its children's names, not by its reference. A list names a family
only to someone who may open it (`households_visible_to`: a restricted family only to its lead, its managers and its
Team Around the Family; never to someone excluded from it), with the same people the family page shows them. Names
are read for the rows of one page at once (one query), so a list's queries do not grow with its length.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from earlyhelp.casework.models import TafMember, episode_is_open
from earlyhelp.people.models import MemberRole, Membership

from .families import EMERGENCY, LEAD, MANAGER, TEAM, _relationship_expressions, households_visible_to
from .sections import Section

_CURRENT_MEMBERS = "current_members"
_CHILDREN = (MemberRole.CHILD, MemberRole.UNBORN)


@dataclass(frozen=True)
class FamilyName:
    name: str  # "Smith family", "Smith and Jones family"
    children: tuple[str, ...]  # the children's names, youngest last

    def __str__(self):
        return self.name


UNNAMED = FamilyName(name="", children=())


def _path(household: str, name: str) -> str:
    return name if household == "pk" else f"{household}__{name}"


def with_family_names(user, rows: QuerySet, *, household: str = "household") -> QuerySet:
    """These rows (families, or rows that reach a family through `household`), narrowed to the families this user
    may open, with each family's current members read for `family_name` (one query for a page of rows)."""
    visible = households_visible_to(user)
    rows = rows.filter(pk__in=visible) if household == "pk" else rows.filter(**{f"{household}__in": visible})
    members = (Membership.objects.filter(end_date__isnull=True).select_related("person")
               .order_by("role", "person__date_of_birth", "pk"))
    if household != "pk":
        rows = rows.select_related(household)
    return rows.prefetch_related(Prefetch(_path(household, "memberships"), queryset=members,
                                          to_attr=_CURRENT_MEMBERS))


def _surnames(members) -> list[str]:
    """The adults' surnames (the children's if there is no adult), each once, in the members' order."""
    adults = [m.person.family_name for m in members if m.role not in _CHILDREN and m.person.family_name]
    return list(dict.fromkeys(adults or [m.person.family_name for m in members if m.person.family_name]))


def _named(surnames) -> str:
    """"Smith family", "Smith and Jones family", "Okafor, Smith and Jones family"."""
    joined = surnames[0] if len(surnames) == 1 else f"{', '.join(surnames[:-1])} and {surnames[-1]}"
    return f"{joined} family"


def family_name(household) -> FamilyName:
    """The family's name and its children's names, from rows read by `with_family_names` (UNNAMED otherwise: a
    family is never named from rows read without the access check)."""
    members = getattr(household, _CURRENT_MEMBERS, None)
    surnames = _surnames(members or [])
    if not surnames:
        return UNNAMED
    children = tuple(m.person.full_name for m in members if m.role in _CHILDREN)
    return FamilyName(name=_named(surnames), children=children)


def page_family_name(access, memberships) -> str:
    """The family page's heading for this viewer: the family's name, or its reference to a viewer who may not see
    the household section."""
    reference = f"Family {access.household.reference}"
    if not access.shows(Section.HOUSEHOLD):
        return reference
    surnames = _surnames([m for m in memberships if m.is_current])
    return _named(surnames) if surnames else reference


def sees_special_category_among(user, household_ids) -> set:
    """Of these families, those whose special category detail this user sees in full (`FamilyAccess.
    sees_special_category`, for many families in one query): every relationship but a partner's, unless the
    partner's Team Around the Family membership grants it."""
    if not household_ids:
        return set()
    expr = _relationship_expressions(user)
    full = Q(pk__in=[])
    for name in (LEAD, MANAGER, EMERGENCY):
        if name in expr:
            full |= expr[name]
    if TEAM in expr:
        full |= expr[TEAM] & Q(is_restricted=False)
    # A partner's plain Team Around the Family membership sees markers only; a membership with the grant sees all.
    full |= Exists(TafMember.objects.filter(episode__household=OuterRef("pk"), practitioner=user, end_date__isnull=True,
                                            special_category_access=True).filter(episode_is_open("episode")))
    return set(households_visible_to(user).filter(pk__in=household_ids).filter(full).values_list("pk", flat=True))
