"""Where people's data lives in this app (see `records.inventory`).

A sent message holds only the address the requester typed and the reference of their submission; it is linked to
no person (an online requester is never matched to a record automatically), so no pack or erasure reaches it
through a person. It goes when the submission it acknowledges is disposed of (see `models`).
"""

from earlyhelp.records.inventory import Holding

HOLDINGS = [
    Holding("messaging.SentMessage", "Messages we sent you"),
]
