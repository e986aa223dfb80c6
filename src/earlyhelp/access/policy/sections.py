"""Which sections of a family's record a viewer sees: proportionate sharing with the Team Around the Family (P8).

The sections are the disclosure log's (`privacy.DisclosureSection`; `access` sits below `privacy`, so the codes are
repeated here and a test keeps the two the same). Whoever holds the record (the lead practitioner, the holding
team, its managers, and emergency access) sees every section. A practitioner who sees the family only because they
are on its Team Around the Family (a partner, or a colleague from outside the holding team) sees the sections
their membership names (`TafMember.sections`, chosen at the invitation and logged as a disclosure) and always
the minimum: who is in the family and who is working with it. A member also always sees the plan actions given
to them, since they are doing them.

Within a section, special category and criminal offence detail is still masked by `masking.masked` unless the
membership grants it.
"""



class Section:
    """The codes of the record's sections (`privacy.DisclosureSection`'s)."""

    HOUSEHOLD = "household"
    EPISODE = "episode"
    ASSESSMENT = "assessment"  # with the family's Supporting Families needs, which come from it
    PLAN = "plan"
    REVIEWS = "reviews"
    NOTES = "notes"  # with the documents, for a viewer who may see special category detail


# Every section of the record, in the order the record shows them.
SECTIONS = (Section.HOUSEHOLD, Section.EPISODE, Section.ASSESSMENT, Section.PLAN, Section.REVIEWS, Section.NOTES)

# What every member of a Team Around the Family sees: a team cannot work with a family without knowing who is in
# it and who leads the work. Everything else is chosen for the member's part in the plan.
TAF_MINIMUM = frozenset({Section.HOUSEHOLD, Section.EPISODE})


def taf_sections(granted) -> frozenset:
    """The sections a Team Around the Family member sees: those granted, and the minimum."""
    return TAF_MINIMUM | (frozenset(granted or ()) & frozenset(SECTIONS))

