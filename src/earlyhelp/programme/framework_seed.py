"""The national outcomes framework as first installed (DLUHC 2022–25 guidance; DfE from 1 April 2024).

Loaded by a migration; afterwards the data team keeps it in the service (history is kept). Descriptor
examples follow the B&NES notice and the framework's chapter 4; a council adds its own as local descriptors.
"""

import datetime

# Stable code -> (label under the 2022 framework, label under the revised 2022–25 framework).
LABELS = {
    "EDUCATION": ("Getting a good education", "Getting a good education"),
    "EARLY_YEARS": ("Good early years development", "Good early years development"),
    "HEALTH": ("Improved mental and physical health", "Improved mental and physical health"),
    "SUBSTANCE": ("Better managed substance use", "Promoting recovery and reducing harm from substance use"),
    "FAMILY_REL": ("Improved family relationships", "Improved family relationships"),
    "CHILD_SAFE": ("Children safe from abuse and exploitation", "Children safe from abuse and exploitation"),
    "CRIME": ("Families diverted from crime", "Crime prevention and tackling crime"),
    "DOM_ABUSE": ("Safe from domestic abuse", "Safe from domestic abuse"),
    "HOUSING": ("Secure housing", "Secure housing"),
    "FINANCE": ("Financial stability", "Financial stability"),
}

VERSIONS = [
    # (code, name, starts_on, is_current)
    ("2022", "Supporting Families outcomes framework 2022", datetime.date(2022, 4, 1), False),
    ("2022-25", "Supporting Families outcomes framework 2022–25 (revised)", datetime.date(2023, 4, 1), True),
]

# Headline code -> [(descriptor code, need, evidence of significant and sustained progress)].
DESCRIPTORS = {
    "EDUCATION": [
        ("attendance", "A child is persistently absent from school (below 90% attendance)",
         "Attendance of at least 90% over the last three consecutive terms, or a sustained rise of 10 points"),
        ("exclusions", "A child has been suspended or excluded, or is at risk of exclusion",
         "No suspension or exclusion for at least two consecutive terms"),
        ("elective-home-education", "A child is electively home educated without suitable education",
         "Suitable education confirmed by the education welfare service, or a return to school"),
        ("neet", "A young person is not in education, employment or training",
         "In education, employment or training for at least six months"),
    ],
    "EARLY_YEARS": [
        ("speech-language", "A child has speech, language or communication needs that are not being met",
         "Progress at the two-year review or in the early years foundation stage profile"),
        ("school-readiness", "A child is not ready to start school",
         "Took up a funded early education place and is ready to start school"),
        ("new-parents", "Expectant or new parents need support to give their baby a good start",
         "Health visiting contacts kept and the baby's development on track"),
    ],
    "HEALTH": [
        ("mental-health", "A family member has a mental health need that affects family life",
         "Engaging with treatment or support, and the family reports an improvement"),
        ("physical-health", "A family member has a physical health need or disability that is not supported",
         "Needs assessed and support in place"),
    ],
    "SUBSTANCE": [
        ("substance-use", "A family member's drug or alcohol use affects the family",
         "Engaged with a treatment service and reduced use confirmed by the service"),
    ],
    "FAMILY_REL": [
        ("parenting", "Parents need support with parenting",
         "A parenting programme completed and the family reports an improvement"),
        ("parental-conflict", "Parental conflict, including child-to-parent violence, harms the children",
         "No incidents reported for six months and the family reports an improvement"),
        ("unsupported-carer", "A young or adult carer is not supported",
         "A carer's assessment completed and support in place"),
    ],
    "CHILD_SAFE": [
        ("abuse-in-household", "A child is at risk of abuse or neglect in the household",
         "The risk assessed as reduced at the closing review, with no new referral to social care"),
        ("missing", "A child goes missing from home",
         "No missing episodes for six months"),
        ("exploitation", "A child is at risk of criminal or sexual exploitation or extra-familial harm",
         "The risk assessed as reduced by the exploitation panel"),
    ],
    "CRIME": [
        ("offending", "A family member is offending or at risk of offending",
         "No new offence for six months"),
        ("anti-social-behaviour", "A family member is involved in anti-social behaviour",
         "No new anti-social behaviour incident for six months"),
    ],
    "DOM_ABUSE": [
        ("domestic-abuse", "The family is affected by domestic abuse (victim, perpetrator or children)",
         "No new incident for six months and the victim reports feeling safer"),
    ],
    "HOUSING": [
        ("homelessness", "The family is homeless or at risk of homelessness",
         "In settled accommodation for six months"),
        ("housing-conditions", "The family's housing is unsuitable or overcrowded",
         "Moved to or kept suitable housing"),
    ],
    "FINANCE": [
        ("worklessness", "An adult is out of work or at risk of financial exclusion",
         "In work, or on a route to work, for six months"),
        ("debt", "The family has problem debt or rent arrears",
         "A debt repayment plan kept for six months, or arrears cleared"),
    ],
}

# Which confirmed partner-data facts suggest which need: (dataset, descriptor code, fact, comparison, value).
DATASET_RULES = [
    ("police_domestic_abuse", "domestic-abuse", "", "any", ""),
    ("police_asb", "anti-social-behaviour", "", "any", ""),
    ("police_offending", "offending", "", "any", ""),
    ("youth_crime", "offending", "", "any", ""),
    ("school_attendance", "attendance", "sessions_unauthorised_absence", "at_least", "20"),
    ("school_exclusions", "exclusions", "", "any", ""),
    ("csc_involvement", "abuse-in-household", "", "any", ""),
    ("dwp_out_of_work", "worklessness", "", "any", ""),
    ("housing_arrears", "debt", "weeks_in_arrears", "at_least", "4"),
    ("housing_homelessness", "homelessness", "", "any", ""),
    ("neet", "neet", "", "any", ""),
]
