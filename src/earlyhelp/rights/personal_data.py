"""Where people's data lives in this app (see `records.inventory`).

A request, its clock pauses and the record of whom we told stay after an erasure, scrubbed of personal data, as
the council's record of what was asked and what was done. Disputes and restrictions are about the person's record
and go with it.
"""

from earlyhelp.records.inventory import Holding, OnErasure

SECTION = "Your requests to us"

HOLDINGS = [
    Holding("rights.RightsRequest", SECTION, person=("subject", "requester_person"), on_erasure=OnErasure.SCRUB),
    Holding("rights.ClockPause", SECTION, person=("request__subject",), on_erasure=OnErasure.SCRUB),
    Holding("rights.RecipientNotification", SECTION, person=("request__subject",), on_erasure=OnErasure.SCRUB),
    # When and how a complaint was acknowledged: no personal column, part of the record of what was done.
    Holding("rights.ComplaintAcknowledgement", SECTION, person=("request__subject",), on_erasure=OnErasure.KEEP),
    # A pack's background build: status and progress, no personal column; the pack it made is held on its own.
    Holding("rights.SubjectAccessBuild", SECTION, person=("request__subject",), on_erasure=OnErasure.KEEP,
            in_pack=False),
    Holding("rights.RecordDispute", SECTION, person=("person",)),
    Holding("rights.ProcessingRestriction", SECTION, person=("person",)),
]

HOLDINGS += [
    # Possible mentions of the person in another family's records, for the pack's reviewer: they name that other
    # family's record and are never in a pack themselves (what is included is copied into the pack's snapshot).
    Holding("rights.OtherFamilyMention", SECTION, person=("pack__subject",),
            household=("pack__subject__memberships__household", "household"), household_in_pack=False, in_pack=False),
]
