"""The role → permission table: what each role may do, written once.

Each role lists its permissions (the style of OpenSAFELY job-server's `authorization/roles.py`). Code
asks `has_permission(user, Permission.X)`, never which role someone has, so a new role or a change to
what a role may do is a change to `ROLE_PERMISSIONS` alone. Which *family* a user may open is decided
by the relationship rules in `families.py`; the permissions here say which relationships a role can
have at all, and which role-only pages (register, rights, retention, matching, oversight) it may use.
"""

from enum import StrEnum

from earlyhelp.organisations.models import Role


class Permission(StrEnum):
    # Casework: may be on a family's Team Around the Family and open the families they work with.
    CASEWORK = "casework"
    # May be a family's lead practitioner, and sees the families they lead.
    LEAD_CASES = "lead_cases"
    # Sees the families (not restricted ones) held by their own team.
    SEE_TEAM_FAMILIES = "see_team_families"
    # Manages their team's families: decisions on contacts, allocation, approvals, step-up, restriction.
    MANAGE_TEAM = "manage_team"
    # Break-glass access to a family they have no relationship with, audited and reviewed.
    USE_EMERGENCY_ACCESS = "use_emergency_access"
    # The front door: records contacts and searches before creating anyone.
    RECORD_CONTACTS = "record_contacts"
    SEARCH_PEOPLE = "search_people"
    # The person index search, to check a partner's record that matched nobody before adding a new person: names,
    # dates of birth and postcode areas only, never a family the role cannot open (audited as data matching).
    SEARCH_PEOPLE_TO_MATCH = "search_people_to_match"
    SEE_OWN_RECORDED_CONTACTS = "see_own_recorded_contacts"
    # Requests made online (issue 15): the front door's queue of them, with the details the person gave, to search
    # for and record as a contact. Any role that records and sees contacts.
    SEE_ONLINE_REQUESTS = "see_online_requests"
    SEE_TEAM_CONTACTS = "see_team_contacts"
    # Oversight across the whole council, or across one's own team.
    REVIEW_ALL_EMERGENCY_ACCESS = "review_all_emergency_access"
    REVIEW_TEAM_EMERGENCY_ACCESS = "review_team_emergency_access"
    REVIEW_PARTNER_ACCESS = "review_partner_access"
    PROCESS_ALL_WITHDRAWALS = "process_all_withdrawals"
    PROCESS_TEAM_WITHDRAWALS = "process_team_withdrawals"
    SEE_ANY_FAMILY_VIEWERS = "see_any_family_viewers"
    # Data protection.
    READ_REGISTER = "read_register"
    KEEP_REGISTER = "keep_register"
    HANDLE_RIGHTS_REQUESTS = "handle_rights_requests"
    MANAGE_RETENTION = "manage_retention"
    DECIDE_DISPOSAL = "decide_disposal"
    # Data matching.
    DO_DATA_MATCHING = "do_data_matching"
    DECIDE_MATCHES = "decide_matches"
    # Supporting Families: the framework, the shortlist, sustainment checks and claims.
    RUN_PROGRAMME = "run_programme"
    # Returns to government, the National Impact Study transfer, research extracts and the Ofsted list.
    MAKE_RETURNS = "make_returns"
    # Performance reports: for one's own team, or for the whole council.
    SEE_TEAM_PERFORMANCE = "see_team_performance"
    SEE_ALL_PERFORMANCE = "see_all_performance"
    # The configuration area (/admin/).
    CONFIGURE_SERVICE = "configure_service"
    # --- Multi-agency panels (P26; issue 13, panels) ---------------------------------------------------------
    # Keeps the list of multi-agency panels and which partner organisations sit on each: team managers, who run
    # the panels their families go to, and the system administrator, who keeps the partner register. Who may send
    # a family's pack to a panel is a family relationship (casework), not this permission; the DPO keeps the
    # recipient types panels' members must have (KEEP_REGISTER).
    KEEP_PANELS = "keep_panels"

    # --- Sign-in and sessions (issue 13, items 7 and 8; P23) ------------------------------------------------
    # Resets a user's second factor (they enrol again at their next sign-in) and sends password reset links.
    RESET_SECOND_FACTOR = "reset_second_factor"
    # Sends a one-time link to set a password (passwords are never typed into the admin).
    SEND_PASSWORD_RESET_LINK = "send_password_reset_link"
    # Ends anyone's signed-in sessions (everyone may end their own).
    END_ANY_SESSION = "end_any_session"


P = Permission

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.FRONT_DOOR: frozenset({P.RECORD_CONTACTS, P.SEARCH_PEOPLE, P.SEE_OWN_RECORDED_CONTACTS,
                                P.SEE_ONLINE_REQUESTS}),
    Role.LEAD_PRACTITIONER: frozenset({
        P.CASEWORK, P.LEAD_CASES, P.SEE_TEAM_FAMILIES, P.USE_EMERGENCY_ACCESS, P.RECORD_CONTACTS,
        P.SEARCH_PEOPLE, P.SEE_TEAM_CONTACTS, P.SEE_ONLINE_REQUESTS}),
    Role.TEAM_MANAGER: frozenset({
        P.CASEWORK, P.LEAD_CASES, P.MANAGE_TEAM, P.USE_EMERGENCY_ACCESS, P.RECORD_CONTACTS, P.SEARCH_PEOPLE,
        P.SEE_TEAM_CONTACTS, P.SEE_ONLINE_REQUESTS, P.REVIEW_TEAM_EMERGENCY_ACCESS, P.REVIEW_PARTNER_ACCESS,
        P.PROCESS_TEAM_WITHDRAWALS, P.SEE_TEAM_PERFORMANCE, P.KEEP_PANELS}),
    Role.PARTNER_PROFESSIONAL: frozenset({P.CASEWORK}),
    Role.DATA_TEAM: frozenset({P.DO_DATA_MATCHING, P.DECIDE_MATCHES, P.SEARCH_PEOPLE_TO_MATCH, P.RUN_PROGRAMME,
                               P.MAKE_RETURNS, P.SEE_ALL_PERFORMANCE}),
    Role.DPO: frozenset({
        P.REVIEW_ALL_EMERGENCY_ACCESS, P.PROCESS_ALL_WITHDRAWALS, P.SEE_ANY_FAMILY_VIEWERS, P.READ_REGISTER,
        P.KEEP_REGISTER, P.HANDLE_RIGHTS_REQUESTS, P.MANAGE_RETENTION, P.DECIDE_DISPOSAL}),
    Role.SYSTEM_ADMIN: frozenset({P.READ_REGISTER, P.CONFIGURE_SERVICE, P.KEEP_PANELS,
                                  # sign-in and sessions (P23)
                                  P.RESET_SECOND_FACTOR, P.SEND_PASSWORD_RESET_LINK, P.END_ANY_SESSION}),
}

del P


def _is_active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def permissions_of(user) -> frozenset[Permission]:
    """Everything this user may do by their role; nothing when signed out or deactivated."""
    if not _is_active(user):
        return frozenset()
    return ROLE_PERMISSIONS.get(user.role, frozenset())


def has_permission(user, permission: Permission) -> bool:
    return permission in permissions_of(user)


def roles_with(permission: Permission) -> set[str]:
    """The roles granted a permission: for choosing people (e.g. who may be allocated as lead practitioner)."""
    return {role for role, granted in ROLE_PERMISSIONS.items() if permission in granted}


class Grants:
    """A user's permissions for templates: `{% if can.record_contacts %}`. An unknown name is an error, so a
    typing mistake in a template cannot silently hide or show a page."""

    def __init__(self, user):
        self._granted = permissions_of(user)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return Permission(name) in self._granted
        except ValueError:
            # Not AttributeError: the template engine would swallow that and show nothing.
            raise LookupError(f"No permission is called {name!r}") from None
