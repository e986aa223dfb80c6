"""Partner files for the demo council: made-up records about some of its people (with the slips partners make:
nicknames, typos, an old address) and about people it does not know, imported and matched, so the data team's
review queue has something in it. Everything is synthetic (`partner_files`)."""

import random

from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.matching import imports, linkage
from earlyhelp.matching.models import DatasetType
from earlyhelp.organisations.models import Organisation, OrganisationType, User
from earlyhelp.people.models import Person
from earlyhelp.privacy.models import ProcessingPurpose

from . import partner_files, registers

# Each file: the dataset, the partner's type, who it is about (adults or children) and how many of them.
FILES = [
    (DatasetType.SCHOOL_ATTENDANCE, OrganisationType.SCHOOL, "children", 60),
    (DatasetType.POLICE_DOMESTIC_ABUSE, OrganisationType.POLICE, "adults", 30),
    (DatasetType.DWP_OUT_OF_WORK, OrganisationType.DWP, "adults", 40),
    (DatasetType.HOUSING_ARREARS, OrganisationType.HOUSING, "adults", 25),
]
UNKNOWN_SHARE = 0.25  # a quarter of each file is people the council does not know
NICKNAMES = {"William": "Bill", "Elizabeth": "Liz", "Katherine": "Kate", "Thomas": "Tom", "Robert": "Rob",
             "Margaret": "Maggie", "Jennifer": "Jen", "Daniel": "Dan", "Samuel": "Sam", "Rebecca": "Becky"}


def _what_the_partner_holds(person: Person, rng: random.Random) -> dict:
    address = person.addresses.filter(valid_to__isnull=True).first()
    held = dict(person.identifiers.values_list("scheme", "value"))
    given = person.given_name
    slip = rng.random()
    if slip < 0.15:
        given = NICKNAMES.get(given, given[:-1] + given[-1] * 2)  # a nickname, or a doubled last letter
    family = person.family_name.upper() if rng.random() < 0.2 else person.family_name
    return {"given_name": given, "family_name": family, "date_of_birth": person.date_of_birth,
            "address_line_1": address.line_1 if address and rng.random() > 0.1 else None,
            "postcode": address.postcode if address else None,
            "nhs_number": held.get("nhs"), "upn": held.get("upn"), "ni_number": held.get("ni")}


def load_demo_matching(*, seed: int = 2026) -> dict:
    """Import one file per dataset in `FILES` and run linkage; returns counts. Needs the demo council loaded."""
    rng = random.Random(seed)
    analyst = User.objects.filter(role__in=policy.roles_with(policy.Permission.DECIDE_MATCHES),
                                  is_active=True).order_by("pk").first()
    purpose = ProcessingPurpose.objects.get(code="data_matching")
    today = timezone.localdate()
    adults_born_before = today.replace(year=today.year - 18)
    batches = []
    for number, (dataset, partner_type, who, count) in enumerate(FILES, start=1):
        partner = Organisation.objects.filter(type=partner_type, is_active=True).order_by("pk").first()
        people = Person.objects.filter(date_of_birth__isnull=False, addresses__valid_to__isnull=True)
        people = people.filter(date_of_birth__lte=adults_born_before) if who == "adults" else people.filter(
            date_of_birth__gt=today.replace(year=today.year - 16), date_of_birth__lte=today.replace(year=today.year - 5))
        ids = sorted(set(people.values_list("pk", flat=True)))
        chosen = rng.sample(ids, min(len(ids), int(count * (1 - UNKNOWN_SHARE))))
        known = list(Person.objects.filter(pk__in=chosen).order_by("pk"))
        rows = [_what_the_partner_holds(person, rng) for person in known]
        rows += [{} for _ in range(count - len(known))]  # made up by partner_files: people we do not know
        rows = partner_files.rows_for(dataset, rows, seed=seed + number, as_of=today)
        batches.append(imports.import_file(
            by=analyst, dataset_type=dataset, source_organisation=partner, received_on=today, purpose=purpose,
            agreement=registers.agreement_for(partner, on=today), file_name=f"{dataset}.csv",
            content=partner_files.to_csv(rows, dataset)))
    run = linkage.start_linkage(by=analyst, batches=[batch for batch in batches if batch.status == "imported"])
    return {"batches": len(batches), "imported": sum(batch.status == "imported" for batch in batches),
            "run": run.status, "candidates": run.stats.get("candidates", 0)}
