"""How a family is named to a viewer: by the surnames of its current members, as a practitioner knows it.

Who is in the family is the minimum every viewer of the family sees (`sections.TAF_MINIMUM`), so the name is
shown to anyone who may open the family; a viewer who may not see the household section sees the reference.
"""

from .sections import Section


def family_name(access, memberships) -> str:
    """"Smith family", "Smith and Jones family": the surnames of the current members, in the order given."""
    if not access.shows(Section.HOUSEHOLD):
        return f"Family {access.household.reference}"
    surnames = list(dict.fromkeys(m.person.family_name for m in memberships if m.is_current and m.person.family_name))
    if not surnames:
        return f"Family {access.household.reference}"
    joined = surnames[0] if len(surnames) == 1 else f"{', '.join(surnames[:-1])} and {surnames[-1]}"
    return f"{joined} family"
