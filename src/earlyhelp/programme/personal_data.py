"""Where people's data lives in this app (see `records.inventory`)."""

from earlyhelp.records.inventory import Holding

HOLDINGS = [
    Holding("programme.EligibleArea", "Supporting Families", household=("episode__household",)),
]
