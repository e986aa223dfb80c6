"""Rules that follow a user's team: who manages which team's work, and who may be chosen for a role in it."""

from earlyhelp.organisations.models import Team, User

from .roles import Permission, has_permission, roles_with


def manages_team(user, team_id) -> bool:
    """A manager of this team: decides its contacts, opens its episodes, allocates and approves."""
    return bool(team_id) and user.team_id == team_id and has_permission(user, Permission.MANAGE_TEAM)


def teams_managed_by(user):
    """The teams whose work this user manages (a queryset): their own team, if their role manages a team."""
    if not user.team_id or not has_permission(user, Permission.MANAGE_TEAM):
        return Team.objects.none()
    return Team.objects.filter(pk=user.team_id)


def may_decide_contact(user, contact) -> bool:
    return manages_team(user, contact.team_id)


def may_lead_cases(practitioner) -> bool:
    """Whether someone can be allocated as a family's lead practitioner."""
    return has_permission(practitioner, Permission.LEAD_CASES)


def may_join_team_around_family(practitioner) -> bool:
    return has_permission(practitioner, Permission.CASEWORK)


def lead_practitioner_choices(team):
    """Who a manager may allocate as lead practitioner: active members of the team holding the family."""
    return User.objects.filter(is_active=True, team=team, role__in=roles_with(Permission.LEAD_CASES))


def team_around_family_choices():
    """Who may be invited onto a Team Around the Family: active practitioners whose role includes casework."""
    return User.objects.filter(is_active=True, role__in=roles_with(Permission.CASEWORK))


def partner_roles() -> set[str]:
    """Partners: roles with casework who never lead a case. Their access is confirmed periodically (P18)."""
    return roles_with(Permission.CASEWORK) - roles_with(Permission.LEAD_CASES)
