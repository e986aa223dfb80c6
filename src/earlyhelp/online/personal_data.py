"""Where people's data lives in this app (see `records.inventory`). A request made online reaches a person only once
the front door has recorded it as a contact about them; until then it is nobody's on the person index (P13)."""

from earlyhelp.records.inventory import Holding

HOLDINGS = [
    Holding("online.HelpRequest", "Contacts and referrals", person=("contact__subject",),
            household=("contact__household",)),
]
