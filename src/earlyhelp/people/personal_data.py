"""Where people's data lives in this app (see `records.inventory`)."""

from earlyhelp.records.inventory import Holding

HOLDINGS = [
    Holding("people.Person", "Your record", person=("id",)),
    Holding("people.Identifier", "Your record", person=("person",)),
    Holding("people.Address", "Your record", person=("person",)),
    Holding("people.Marker", "Your record", person=("person",)),
    Holding("people.Household", "Your family and relationships", household=("id",)),
    Holding("people.Membership", "Your family and relationships", person=("person",), household=("household",)),
    Holding("people.Relationship", "Your family and relationships", person=("person", "related_person")),
]
