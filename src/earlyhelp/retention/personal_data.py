"""Where people's data lives in this app (see `records.inventory`).

A legal hold names a family or a person and says why in free text; when the family's records are disposed of
(only ever after the hold is lifted) or the person is erased, the reason is blanked and the link emptied, and
the rest of the hold stays as the record of what was held and lifted. A disposal candidate links a batch to a
family. Rules, sweeps, batches and certificates hold counts and codes only: no person, no family.
"""

from earlyhelp.records.inventory import Holding, OnErasure

HOLDINGS = [
    Holding("retention.LegalHold", "Legal holds on your records", person=("person",), household=("household",),
            on_erasure=OnErasure.SCRUB),
    Holding("retention.DisposalCandidate", "How long we keep your records", household=("household",)),
]
