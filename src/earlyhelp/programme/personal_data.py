"""Where people's data lives in this app (see `records.inventory`)."""

from earlyhelp.records.inventory import Holding

HOLDINGS = [
    Holding("programme.Need", "Supporting Families", household=("household",), person=("person",)),
    Holding("programme.NeedProgress", "Supporting Families", person=("need__person",), household=("need__household",)),
]
