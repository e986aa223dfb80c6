"""Every change the privacy core makes, by topic:

- `register`: keeping the processing register (Article 30), each change validated, kept in history and audited;
- `notices`: the privacy notice generated from the register, published as numbered versions;
- `consent`: consent recorded with its evidence, corrected, and withdrawn within 14 days;
- `disclosures`: the disclosure log, the only way information leaves the team;
- `decisions`: human decisions on everything the system suggests (each app declares its kinds).

How each personal-data column is classified is `privacy.classification`; the register's starting entries and the
notice's statements are data (`privacy.register_seed`).
"""
