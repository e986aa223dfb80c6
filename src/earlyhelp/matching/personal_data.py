"""Where people's data lives in this app (see `records.inventory`).

A partner's record reaches a person only once a person has confirmed the link; candidates point at the person
they might be. Erasure deletes both (a record about the person, and a guess about them). Import batches and
linkage runs hold counts, references and model parameters only: no person.
"""

from earlyhelp.records.inventory import Holding

HOLDINGS = [
    Holding("matching.SourceRecord", "Information partners shared with us for data matching", person=("person",)),
    Holding("matching.MatchCandidate", "Possible matches with partners' records", person=("person", "record__person")),
]
