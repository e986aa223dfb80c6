"""The recipient types installed with the system: the partner types and public bodies the five notices name.

Pure data, loaded by a data migration into `RecipientType`; the DPO then keeps them through the register pages.
Names are as the notices say them. Fire and Rescue is named by Oldham (001: "Greater Manchester Fire and Rescue
Service") and Shropshire (004: "Emergency Services such as ... Shropshire Fire and Rescue").
"""

from earlyhelp.organisations.models import OrganisationType as T

PARTNER, PUBLIC_BODY = "partner", "public_body"
PUBLIC_TASK, LEGAL_OBLIGATION = "6(1)(e)", "6(1)(c)"
CHILDREN_ACT = "Children Act 2004 s10 (co-operation to improve the well-being of children)"
NAMED_PARTNER = "Children Act 2004 s10 and s11 (co-operation and safeguarding duties of named partners)"

RECIPIENT_TYPES = [
    # code, name, kind, public function, Article 6, statutory basis
    (T.LOCAL_AUTHORITY, "This council", PARTNER, "local_government", PUBLIC_TASK, CHILDREN_ACT),
    (T.SCHOOL, "School or college", PARTNER, "education", PUBLIC_TASK,
     "Education Act 2002 s175; Children Act 2004 s10"),
    (T.EARLY_YEARS, "Early years setting", PARTNER, "early_years", PUBLIC_TASK, "Childcare Act 2006; Children Act 2004 s10"),
    (T.HEALTH, "Health (GP, health visiting, school nursing, hospital)", PARTNER, "health", PUBLIC_TASK, NAMED_PARTNER),
    (T.POLICE, "Police", PARTNER, "policing", PUBLIC_TASK, f"{NAMED_PARTNER}; Crime and Disorder Act 1998 s115"),
    (T.PROBATION_YOUTH_JUSTICE, "Probation or youth justice", PARTNER, "probation_youth_justice", PUBLIC_TASK,
     NAMED_PARTNER),
    (T.HOUSING, "Housing", PARTNER, "housing", PUBLIC_TASK, "Housing Act 1996 s213; Children Act 2004 s10"),
    (T.DWP, "Department for Work and Pensions / Jobcentre Plus", PARTNER, "welfare_employment", PUBLIC_TASK,
     "Digital Economy Act 2017 s35; Welfare Reform Act 2012 s131"),
    (T.VOLUNTARY, "Voluntary and community sector", PARTNER, "voluntary_support", PUBLIC_TASK,
     "Children Act 2004 s10(3): bodies engaged in activities for children"),
    (T.OTHER_LA, "Another local authority", PARTNER, "local_government", PUBLIC_TASK, CHILDREN_ACT),
    (T.COMMISSIONED, "Commissioned provider", PARTNER, "commissioned_service", PUBLIC_TASK,
     "Children Act 2004 s10; a contract with the council under UK GDPR Article 28"),
    (T.CHILDRENS_SOCIAL_CARE, "Children's social care", PARTNER, "social_care", PUBLIC_TASK,
     "Children Act 1989 s17 and s47"),
    ("fire_and_rescue", "Fire and rescue service", PARTNER, "fire_and_rescue", PUBLIC_TASK,
     "Fire and Rescue Services Act 2004 s6 (promoting fire safety, including safe and well visits); "
     "Children Act 2004 s11"),
    ("ons", "the Office for National Statistics, as a trusted third party for research", PUBLIC_BODY,
     "official_statistics_research", PUBLIC_TASK, "Statistics and Registration Service Act 2007 s45A; "
     "Digital Economy Act 2017 s64"),
    ("dluhc_dfe", "the government department that runs the Supporting Families programme", PUBLIC_BODY,
     "government_programme", PUBLIC_TASK, "Children Act 2004 s10; the Supporting Families programme guidance"),
    ("ico", "the Information Commissioner's Office", PUBLIC_BODY, "regulation", LEGAL_OBLIGATION,
     "Data Protection Act 2018 s115 and Schedule 15"),
    ("approved_researchers", "approved researchers working on a named project, who receive only pseudonymised data",
     PUBLIC_BODY, "official_statistics_research", PUBLIC_TASK, "Digital Economy Act 2017 s64 (accredited research)"),
]

# Purposes that share with partner types name Fire and Rescue as well (the notices list it with the police).
FIRE_AND_RESCUE = "fire_and_rescue"
SHARES_WITH = "police"
