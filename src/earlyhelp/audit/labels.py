"""Audit events and purposes in plain English, for people outside the service who read them (a subject access pack
lists who looked at or changed someone's records, and why).

An event is named "<record>.<what happened>" where it is recorded; its words are built from the two parts, and an
app whose event needs other words registers them here (`register`) when it starts. Purposes are named by
`Purpose`'s own labels (audit.models).
"""

from .models import Purpose

# What happened, as a past-tense verb phrase: "person.search" -> "Searched for" + "the person's record".
VERBS = {
    "view": "Looked at", "list": "Looked at a list including", "search": "Searched for", "create": "Created",
    "change": "Changed", "record": "Recorded", "add": "Added", "start": "Started", "submit": "Submitted",
    "approve": "Approved", "return": "Returned for changes", "close": "Closed", "reopen": "Reopened",
    "denied": "Was refused access to", "download": "Downloaded", "export": "Exported", "share": "Shared",
    "end": "Ended", "delete": "Deleted", "allocate": "Allocated", "invite": "Invited", "remove": "Removed",
    "decide": "Decided on", "review": "Reviewed", "restrict": "Restricted", "lift": "Lifted a restriction on",
    "exclude": "Excluded someone from", "unexclude": "Ended an exclusion from", "withdraw": "Withdrew",
    "print": "Printed", "build": "Prepared", "release": "Released", "upload": "Uploaded", "link": "Linked",
    "propose": "Proposed", "accepted": "Accepted", "rejected": "Declined", "rectify": "Corrected",
    "erase": "Erased", "transfer": "Transferred", "step_up": "Stepped up", "step_down": "Stepped down",
    "emergency": "Used emergency access to", "match": "Matched", "imported": "Imported",
}
# The record, as a noun phrase.
RECORDS = {
    "person": "the person's record", "household": "the family's record", "family": "the family's record",
    "membership": "a family membership", "relationship": "a relationship", "contact": "a contact",
    "episode": "the early help support", "assessment": "the early help assessment", "plan": "the family plan",
    "plan_action": "an action in the family plan", "action": "an action in the family plan",
    "review": "a review", "closure": "the closure", "note": "a case note", "case_note": "a case note",
    "document": "a document", "referral": "a referral", "consent": "the family's consent",
    "taf": "the Team Around the Family", "taf_member": "the Team Around the Family", "need": "a need",
    "disclosure": "a record of sharing", "restriction": "a restriction", "exclusion": "an exclusion",
    "rights_request": "a data protection request", "subject_access": "a subject access pack",
    "suggestion": "a suggestion", "match": "a data match", "identifier": "an identifier", "address": "an address",
    "panel_pack": "a panel pack", "outcome": "an outcome", "claim": "a claim",
}
_registered: dict[str, str] = {}


def register(labels: dict[str, str]) -> None:
    """Words for events the built-in parts would name badly, from the app that records them."""
    _registered.update(labels)


def _words(code: str) -> str:
    return code.replace("_", " ")


def event_label(event: str) -> str:
    """ "person.search" -> "Searched for the person's record". Never the code itself."""
    if event in _registered:
        return _registered[event]
    record, _, happened = event.rpartition(".")
    record = record.rsplit(".", 1)[-1]
    noun = RECORDS.get(record, f"a record ({_words(record)})" if record else "a record")
    verb = VERBS.get(happened) or VERBS.get(happened.split("_")[0])
    if verb:
        return f"{verb} {noun}"
    return f"{_words(happened).capitalize()}: {noun}"


def purpose_label(purpose: str) -> str:
    return str(dict(Purpose.choices).get(purpose, _words(purpose)))
