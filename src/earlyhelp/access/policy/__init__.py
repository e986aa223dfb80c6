"""The one door: every access decision, role check and field mask in the product.

- `roles`: the role → permission table; `has_permission(user, Permission.X)` and `require(...)`, which
  answers with an audited 404.
- `families`: the family relationship rules (lead, team, manager, Team Around the Family, emergency),
  which families and people a user may see, and what they may do on a family's record.
- `teams`: rules that follow a user's team (who manages which team's work, who may be chosen).
- `names`: how a family is named in a list and on its page, and to whom (only to those who may open it).
- `masking`: the one rule for what is shown in full and what only as a marker (P16).
- `sections`: the sections of a family's record, and what a Team Around the Family member sees of them (P8).
- `refusals`: the audited "Page not found".

Callers use `from earlyhelp.access import policy` and `policy.<name>`: the names below are the door.
"""

from .families import (
    EMERGENCY,
    LEAD,
    MANAGER,
    TAF,
    TEAM,
    FamilyAccess,
    can_see_family_viewers,
    active_exclusions,
    contacts_visible_to,
    excluded_organisation_types,
    exclusion_for,
    family_access,
    hidden_among,
    households_visible_to,
    is_excluded,
    may_record_contact_about,
    may_see_all_families_of,
    may_take_withdrawal,
    open_family,
    person_access,
    require_family,
    sections_visible,
    visible_among,
    visible_people_among,
)
from .masking import RESTRICTED, is_sensitive, masked, shows_in_full
from .names import UNNAMED, FamilyName, family_name, page_family_name, sees_special_category_among, with_family_names
from .refusals import record_refusal, refuse, require, require_any
from .roles import ROLE_PERMISSIONS, Grants, Permission, has_permission, permissions_of, roles_with
from .sections import SECTIONS, TAF_MINIMUM, Section, taf_sections
from .teams import (
    lead_practitioner_choices,
    manages_team,
    may_decide_contact,
    may_join_team_around_family,
    may_lead_cases,
    partner_roles,
    team_around_family_choices,
    teams_managed_by,
)

__all__ = [
    "EMERGENCY", "LEAD", "MANAGER", "TAF", "TEAM", "FamilyAccess", "can_see_family_viewers", "contacts_visible_to",
    "family_access", "hidden_among", "households_visible_to", "may_record_contact_about", "may_see_all_families_of",
    "may_take_withdrawal", "open_family", "active_exclusions", "excluded_organisation_types", "exclusion_for",
    "is_excluded",
    "person_access", "require_family", "sections_visible", "visible_among", "visible_people_among",
    "SECTIONS", "TAF_MINIMUM", "Section", "taf_sections",
    "UNNAMED", "FamilyName", "family_name", "page_family_name", "sees_special_category_among", "with_family_names",
    "RESTRICTED", "is_sensitive", "masked", "shows_in_full",
    "record_refusal", "refuse", "require", "require_any",
    "ROLE_PERMISSIONS", "Grants", "Permission", "has_permission", "permissions_of", "roles_with",
    "lead_practitioner_choices", "manages_team", "may_decide_contact", "may_join_team_around_family",
    "may_lead_cases", "partner_roles", "team_around_family_choices", "teams_managed_by",
]
