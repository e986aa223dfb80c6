"""Where people's data lives in this app (see `records.inventory`)."""

from earlyhelp.records.inventory import Holding, OnErasure

HOLDINGS = [
    Holding("privacy.Consent", "Consent", person=("subject", "given_by"), household=("household",)),
    Holding("privacy.Disclosure", "Who we shared information with, and why", household=("household",)),
    # A file about many families sent out (National Impact Study, research extract): each family's pack shows it.
    # It holds no personal data itself, so erasure leaves it; disposal of a family takes the family off its list.
    Holding("privacy.DatasetDisclosure", "Who we shared information with, and why", household=("households",),
            on_erasure=OnErasure.SCRUB),
    # The data-sharing agreement a disclosure was made under: it goes with its disclosure.
    Holding("privacy.DisclosureAgreement", "Who we shared information with, and why",
            household=("disclosure__household",)),
    Holding("privacy.Suggestion", "Decisions on what the system suggested", household=("household",)),
    # A relative's pack holds this person's records too: erasure takes them out of it, disposal removes it.
    Holding("privacy.SubjectAccessPack", "Your requests to us", person=("subject",),
            household=("subject__memberships__household",), household_in_pack=False),
    # Proposals name other people and what was withheld from an earlier pack: never in a pack themselves.
    Holding("privacy.RedactionProposal", "Your requests to us", person=("pack__subject",),
            household=("pack__subject__memberships__household",), household_in_pack=False, in_pack=False),
    # The record of an erasure holds no personal data; it is what remains.
    Holding("privacy.Tombstone", "Your requests to us", on_erasure=OnErasure.KEEP),
]
