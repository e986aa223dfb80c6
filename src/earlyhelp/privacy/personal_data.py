"""Where people's data lives in this app (see `privacy.inventory`)."""

from earlyhelp.privacy.inventory import Holding, OnErasure

HOLDINGS = [
    Holding("privacy.Consent", "Consent", person=("subject", "given_by"), household=("household",)),
    Holding("privacy.Disclosure", "Who we shared information with, and why", household=("household",)),
    Holding("privacy.Suggestion", "Decisions on what the system suggested", household=("household",)),
    Holding("privacy.SubjectAccessPack", "Your requests to us", person=("subject",)),
    Holding("privacy.RedactionProposal", "Your requests to us", person=("pack__subject",)),
    # The record of an erasure holds no personal data; it is what remains.
    Holding("privacy.Tombstone", "Your requests to us", on_erasure=OnErasure.KEEP),
]
