"""The demo council's processing register (UK GDPR Article 30) and privacy notice statements.

Pure data, no Django: the privacy app loads `PURPOSES` into `ProcessingPurpose` rows and renders
`NOTICE_STATEMENTS` into the generated privacy notice.

Where the content comes from: the five council privacy notices in `shared/seeds/` and
`shared/domain.md` §3, §5 and §6 (the promises P1-P28):

* 000_757f8721a988a500.txt: Wigan Council, Early Help privacy notice (v2.0, October 2023)
* 001_54c93a1a734a1ef4.txt: Oldham Council, Targeted Early Help Service
* 002_38f2c274d1e3cdfe.txt: Cambridgeshire County Council and Peterborough City Council, Early Help
* 003_55023ebdf6225ca1.txt: Wigan Council, Children and Families privacy notice (v4.0, 2020)
* 004_bb712945c0ce2629.txt: Shropshire Council, Supporting Families through Early Help

The notices do not agree on everything; where they differ this register takes the choice stated
here (the DPO can change any row, and every change keeps history):

* Consent: Wigan makes signed consent one of the four principles of early help, while
  Cambridgeshire/Peterborough say they do not ask for consent. Early help is voluntary (Working
  Together 2023), so casework and multi-agency sharing record consent (`consent_required`), but
  the lawful basis stays public task, Article 6(1)(e), as all five notices give it.
* Special category condition: Cambridgeshire/Peterborough rely on Article 9(2)(h) (health or social
  care), Oldham on 9(2)(g) (substantial public interest). Casework uses 9(2)(h); sharing, matching,
  returns, research and statistics use 9(2)(g) with the Schedule 1 condition named.
* Retention: only Cambridgeshire/Peterborough give a period (Early Help Assessments 6 years from
  closure); the others point to a corporate schedule. Other councils keep records until the child's
  25th birthday or age 30 (domain.md §5). The demo default is CASE+6.
* Retention codes name the council's retention rules (`retention.presets`): CASE+6, AUDIT+6 (the audit trail),
  PARTNER+1 (partner files), EXTRACT+1 (files sent for research and the National Impact Study), RIGHTS+2
  (data protection requests) and CLAIM+6 (Supporting Families returns and claims); a test checks each code is a
  rule in use with the same period.
* Location: Wigan processes "wholly within the UK"; Oldham only says "not outside the EEA". The
  stricter UK-only promise (P14) applies to every purpose.
* Oldham cites Working Together 2018; the current edition, 2023, is cited here.
"""

# The seed files, named once so that `sources` cannot drift from them.
WIGAN_EH = "000_757f8721a988a500.txt"
OLDHAM = "001_54c93a1a734a1ef4.txt"
CAMBS_PBORO = "002_38f2c274d1e3cdfe.txt"
WIGAN_CF = "003_55023ebdf6225ca1.txt"
SHROPSHIRE = "004_bb712945c0ce2629.txt"
SEED_FILES = [WIGAN_EH, OLDHAM, CAMBS_PBORO, WIGAN_CF, SHROPSHIRE]
# How the register and notice name each source: the council and the document's title (and version, where given).
SOURCE_TITLES = {
    WIGAN_EH: "Wigan Council, Early Help privacy notice (version 2.0, October 2023)",
    OLDHAM: "Oldham Council, privacy notice for the Targeted Early Help Service",
    CAMBS_PBORO: "Cambridgeshire County Council and Peterborough City Council, Early Help privacy notice",
    WIGAN_CF: "Wigan Council, Children and Families privacy notice (version 4.0, November 2020)",
    SHROPSHIRE: "Shropshire Council, privacy notice for Supporting Families through Early Help",
}


def source_title(source: str) -> str:
    """A source as people read it; a source the DPO typed in is already a title."""
    return SOURCE_TITLES.get(source, source)

UK = "United Kingdom"

FAMILY = ["children and young people", "parents and carers", "other household members"]
PARTNERS = [  # the partner types the notices list (organisations.models.OrganisationType)
    "local_authority", "school", "early_years", "health", "police", "probation_youth_justice", "housing", "dwp",
    "voluntary", "other_la", "commissioned", "csc",
]
CASE_RECORD = [  # what an early help case record holds (002, 003, 004)
    "names and contact details", "dates of birth", "gender", "family relationships",
    "identifiers (NHS, NI, UPN, PNC numbers)", "ethnicity and language", "education and attendance",
    "special educational needs and disability", "health", "domestic abuse", "offending and anti-social behaviour",
    "housing", "finances and benefits", "involvement with other services", "professionals involved",
]
SENSITIVE = ["health", "ethnic origin", "religion", "sex life or sexual orientation"]

SCH1_HEALTH_SOCIAL_CARE = "Sch 1 Part 1 para 2: health or social care purposes"
SCH1_STATUTORY = "Sch 1 Part 2 para 6: statutory and government purposes"
SCH1_SAFEGUARDING = "Sch 1 Part 2 para 18: safeguarding of children and individuals at risk"
ART10_SAFEGUARDING = "DPA 2018 Sch 1 Part 2 para 18: safeguarding of children and individuals at risk"
ART10_STATUTORY = "DPA 2018 Sch 1 Part 2 para 6 (applied by Part 3 para 36): statutory and government purposes"
ART10_CARE = "DPA 2018 Sch 1 Part 1 para 2: health or social care purposes"

CASE_RETENTION = (
    "Kept for 6 years after your family's case is closed, then reviewed by a member of staff before it is "
    "securely destroyed. Records about child protection or child sexual abuse are kept while a legal hold "
    "applies. Other councils use different periods, for example until the child's 25th birthday or age 30."
)
AUDIT_RETENTION = (
    "The audit trail is kept for 6 years after each entry, so that access to a case record can be checked "
    "for as long as the record itself may exist. It holds record numbers, not the content of records."
)

PURPOSES = [
    {
        "code": "early_help_casework",
        "name": "Early help support for your family",
        "description": (
            "When you ask for early help, or someone refers you with your agreement, we record what you tell "
            "us, assess your whole family's needs with you, agree a family plan and review it with the people "
            "helping you. A named lead worker coordinates the support until it ends, when we may ask for your "
            "feedback."
        ),
        "article_6": "6(1)(e)",
        "article_9": "9(2)(h)",
        "article_10": ART10_CARE,
        "schedule_1_condition": SCH1_HEALTH_SOCIAL_CARE,
        "consent_required": True,
        "data_categories": [*CASE_RECORD, "your views and the child's voice", "images and voice recordings"],
        "special_category": [*SENSITIVE],
        "criminal_offence_data": True,
        "data_subjects": [*FAMILY, "significant others outside the household", "professionals"],
        "recipient_types": [*PARTNERS],
        "retention": "CASE+6",
        "retention_note": CASE_RETENTION,
        "statutes": [
            "Children Act 1989 s17", "Children Act 2004 s10", "Children Act 2004 s11",
            "Working Together to Safeguard Children 2023", "Children and Families Act 2014", "Education Act 1996",
            "Education Act 2002",
        ],
        "processing_location": UK,
        "automated_decisions": False,
        "sources": [*SEED_FILES],
        "promises": [
            "P1", "P3", "P4", "P5", "P6", "P9", "P10", "P13", "P14", "P15",
            "P16", "P17", "P20", "P21", "P22", "P28",
        ],
    },
    {
        "code": "duplicate_check",
        "name": "Checking for an existing record",
        "description": (
            "Before we create a new record, staff search for any record we already hold about you or your "
            "family and check what services have been offered before. This stops your information being split "
            "across duplicate records or mixed up with someone else's; search results show as little as possible."
        ),
        "article_6": "6(1)(e)",
        "article_9": "",
        "article_10": "",
        "schedule_1_condition": "",
        "consent_required": False,
        "data_categories": ["names and contact details", "dates of birth", "addresses and postcodes",
                            "identifiers (NHS, NI, UPN, PNC numbers)", "previous contacts with the service"],
        "special_category": [],
        "criminal_offence_data": False,
        "data_subjects": [*FAMILY],
        "recipient_types": ["local_authority"],
        "retention": "AUDIT+6",
        "retention_note": "Search words are not stored. " + AUDIT_RETENTION,
        "statutes": ["Children Act 2004 s10", "UK GDPR Article 5(1)(d) (accuracy)"],
        "processing_location": UK,
        "automated_decisions": False,
        "sources": [WIGAN_EH, CAMBS_PBORO, SHROPSHIRE],
        "promises": ["P1", "P2", "P5", "P13", "P14", "P15"],
    },
    {
        "code": "access_oversight",
        "name": "Checking who has looked at records",
        "description": (
            "We keep a record of every time staff or partners look at or change your family's information, and "
            "we regularly review who has access. This lets us make sure only people who need to see your "
            "information can do so, and look into anyone who views it without a reason."
        ),
        "article_6": "6(1)(c)",
        "article_9": "",
        "article_10": "",
        "schedule_1_condition": "",
        "consent_required": False,
        "data_categories": ["staff names, roles and organisations", "record numbers viewed or changed",
                            "dates and times of access", "reasons given for access"],
        "special_category": [],
        "criminal_offence_data": False,
        "data_subjects": ["professionals", *FAMILY],
        "recipient_types": ["local_authority"],
        "retention": "AUDIT+6",
        "retention_note": AUDIT_RETENTION,
        "statutes": ["UK GDPR Articles 5(1)(f), 24 and 32", "Data Protection Act 2018"],
        "processing_location": UK,
        "automated_decisions": False,
        "sources": [WIGAN_EH, WIGAN_CF, SHROPSHIRE],
        "promises": ["P2", "P14", "P15", "P18", "P23"],
    },
    {
        "code": "system_security",
        "name": "Keeping the system secure",
        "description": (
            "We record sign-ins and other security events, and keep a record of any security incident, to "
            "protect your information from being accessed, lost, changed or misused without permission. Serious "
            "incidents are reported to the Information Commissioner's Office."
        ),
        "article_6": "6(1)(c)",
        "article_9": "",
        "article_10": "",
        "schedule_1_condition": "",
        "consent_required": False,
        "data_categories": ["staff names, roles and organisations", "sign-in records and IP addresses",
                            "security incident and breach records"],
        "special_category": [],
        "criminal_offence_data": False,
        "data_subjects": ["professionals", *FAMILY],
        "recipient_types": ["local_authority", "ico"],
        "retention": "AUDIT+6",
        "retention_note": AUDIT_RETENTION + " Breach records are kept for the same period.",
        "statutes": ["UK GDPR Articles 5(1)(f), 32 and 33", "Data Protection Act 2018"],
        "processing_location": UK,
        "automated_decisions": False,
        "sources": [WIGAN_EH, WIGAN_CF, SHROPSHIRE],
        "promises": ["P2", "P14", "P15", "P23"],
    },
    {
        "code": "api_access",
        "name": "Partner systems connecting to the case record",
        "description": (
            "Some partners, such as schools, early years settings and health services, reach the case system "
            "through a named designated professional or their own connected system. They see only the families "
            "they work with and only what they need, under the same rules and checks as council staff."
        ),
        "article_6": "6(1)(e)",
        "article_9": "9(2)(h)",
        "article_10": ART10_CARE,
        "schedule_1_condition": SCH1_HEALTH_SOCIAL_CARE,
        "consent_required": False,
        "data_categories": [*CASE_RECORD, "markers (for example open to children's social care, looked after)"],
        "special_category": [*SENSITIVE],
        "criminal_offence_data": True,
        "data_subjects": [*FAMILY, "professionals"],
        "recipient_types": ["school", "early_years", "health", "police", "probation_youth_justice", "housing",
                            "voluntary", "commissioned"],
        "retention": "AUDIT+6",
        "retention_note": (
            "Partners' systems read the case record; nothing is kept here beyond it. " + AUDIT_RETENTION
        ),
        "statutes": ["Children Act 2004 s10", "Children Act 2004 s11", "Working Together to Safeguard Children 2023"],
        "processing_location": UK,
        "automated_decisions": False,
        "sources": [WIGAN_CF],
        "promises": ["P2", "P8", "P14", "P15", "P16", "P18"],
    },
    {
        "code": "multi_agency_sharing",
        "name": "Sharing with the people supporting your family",
        "description": (
            "With your agreement, we share information with the organisations helping your family, such as "
            "schools, health services and voluntary groups, so they can work together and you do not have to "
            "repeat your story. We share only what is relevant to your family's needs, and you can name anyone "
            "who should not see your assessment."
        ),
        "article_6": "6(1)(e)",
        "article_9": "9(2)(g)",
        "article_10": ART10_STATUTORY,
        "schedule_1_condition": SCH1_STATUTORY,
        "consent_required": True,
        "data_categories": [*CASE_RECORD, "assessment and family plan"],
        "special_category": [*SENSITIVE],
        "criminal_offence_data": True,
        "data_subjects": [*FAMILY, "professionals"],
        "recipient_types": [*PARTNERS],
        "retention": "CASE+6",
        "retention_note": "The record of what was shared, with whom and why is kept with the case. " + CASE_RETENTION,
        "statutes": [
            "Children Act 1989 s17", "Children Act 2004 s10", "Working Together to Safeguard Children 2023",
            "Digital Economy Act 2017 s35",
        ],
        "processing_location": UK,
        "automated_decisions": False,
        "sources": [*SEED_FILES],
        "promises": ["P3", "P7", "P8", "P9", "P14", "P15", "P16", "P17", "P26"],
    },
    {
        "code": "safeguarding_sharing_without_consent",
        "name": "Sharing to keep people safe",
        "description": (
            "Sometimes we must share information without your agreement: when a child or adult is at risk of "
            "harm, to prevent or detect a crime or fraud, or when the law requires it. We record the reasons "
            "for every decision about sharing like this, whether or not we share."
        ),
        "article_6": "6(1)(e)",
        "article_9": "9(2)(g)",
        "article_10": ART10_SAFEGUARDING,
        "schedule_1_condition": SCH1_SAFEGUARDING,
        "consent_required": False,
        "data_categories": [*CASE_RECORD, "the sharing decision and its reasons"],
        "special_category": [*SENSITIVE],
        "criminal_offence_data": True,
        "data_subjects": [*FAMILY, "professionals"],
        "recipient_types": ["csc", "police", "probation_youth_justice", "health", "school", "early_years",
                            "local_authority", "other_la", "housing"],
        "retention": "CASE+6",
        "retention_note": "The decision and its reasons are kept with the case. " + CASE_RETENTION,
        "statutes": [
            "Children Act 1989 s47", "Children Act 2004 s11", "Working Together to Safeguard Children 2023",
            "Crime and Disorder Act 1998 s115", "Data Protection Act 2018 Sch 2 para 2 (crime and taxation)",
        ],
        "processing_location": UK,
        "automated_decisions": False,
        "sources": [WIGAN_EH, CAMBS_PBORO, WIGAN_CF],
        "promises": ["P7", "P8", "P13", "P14", "P15", "P17", "P20"],
    },
    {
        "code": "data_matching",
        "name": "Finding families who may need help",
        "description": (
            "We compare information from partners such as schools, the police, housing providers and the "
            "Department for Work and Pensions to find families who may benefit from early help or qualify for "
            "the Supporting Families programme. A member of staff always reviews the results; nothing is decided "
            "automatically."
        ),
        "article_6": "6(1)(e)",
        "article_9": "9(2)(g)",
        "article_10": ART10_STATUTORY,
        "schedule_1_condition": SCH1_STATUTORY,
        "consent_required": False,
        "data_categories": [
            "names and contact details", "dates of birth", "identifiers (NHS, NI, UPN, PNC numbers)",
            "education and attendance", "special educational needs and disability", "early years place take-up",
            "children's social care involvement", "offending and anti-social behaviour", "domestic abuse",
            "housing", "finances and benefits", "employment and NEET status",
        ],
        "special_category": ["health"],
        "criminal_offence_data": True,
        "data_subjects": [*FAMILY],
        "recipient_types": ["local_authority"],
        "retention": "PARTNER+1",
        "retention_note": (
            "Partner data that does not lead to support is deleted 1 year after the matching run. Where a family "
            "is then supported, what is needed is kept with the case record (6 years after closure)."
        ),
        "statutes": [
            "Digital Economy Act 2017 s35", "Children Act 2004 s10", "Welfare Reform Act 2012",
            "Crime and Disorder Act 1998 s115",
            "Education (Information about Individual Pupils) (England) Regulations 2013",
        ],
        "processing_location": UK,
        "automated_decisions": False,
        "sources": [OLDHAM, WIGAN_CF, SHROPSHIRE],
        "promises": ["P2", "P8", "P13", "P14", "P15", "P16"],
    },
    {
        "code": "supporting_families_returns",
        "name": "Supporting Families programme returns",
        "description": (
            "We send the government department that runs the Supporting Families programme regular progress "
            "returns and claims about the results families achieve. These are mostly numbers; the department's "
            "auditors may check individual case records to confirm a claim."
        ),
        "article_6": "6(1)(e)",
        "article_9": "9(2)(g)",
        "article_10": ART10_STATUTORY,
        "schedule_1_condition": SCH1_STATUTORY,
        "consent_required": False,
        "data_categories": ["family needs against the Supporting Families headlines", "support given",
                            "outcomes achieved", "family reference numbers"],
        "special_category": ["health"],
        "criminal_offence_data": True,
        "data_subjects": [*FAMILY],
        "recipient_types": ["local_authority", "dluhc_dfe"],
        "retention": "CLAIM+6",
        "retention_note": (
            "Returns and the evidence for each claim are kept for 6 years after they are sent, so that "
            "government auditors can check them."
        ),
        "statutes": ["Children Act 2004 s10", "Digital Economy Act 2017 s35", "Localism Act 2011 s1"],
        "processing_location": UK,
        "automated_decisions": False,
        "sources": [WIGAN_EH, OLDHAM, WIGAN_CF, SHROPSHIRE],
        "promises": ["P11", "P13", "P14", "P15"],
    },
    {
        "code": "national_impact_study",
        "name": "Supporting Families National Impact Study",
        "description": (
            "The government evaluates the Supporting Families programme through the Office for National "
            "Statistics, acting as a trusted third party. We send it details that identify family members and "
            "information about the support they received, so it can compare families who had help with similar "
            "families who did not; it is used only for research, never for decisions about you."
        ),
        "article_6": "6(1)(e)",
        "article_9": "9(2)(g)",
        "article_10": ART10_STATUTORY,
        "schedule_1_condition": SCH1_STATUTORY,
        "consent_required": False,
        "data_categories": [
            "names", "dates of birth", "gender", "postcodes and last addresses",
            "identifiers (NHS, NI, UPN, PNC numbers)", "school reference (URN)", "family reference and relationships",
            "needs met and date screened", "support status and dates", "family progress data every six months",
        ],
        "special_category": ["health"],
        "criminal_offence_data": True,
        "data_subjects": [*FAMILY],
        "recipient_types": ["ons", "dluhc_dfe"],
        "retention": "EXTRACT+1",
        "retention_note": (
            "Our copy of each file sent is kept for 1 year after it is sent. The Office for National Statistics "
            "and the researchers destroy the data when the research ends; it is not given back to us."
        ),
        "statutes": ["Digital Economy Act 2017 s35", "Children Act 2004 s10"],
        "processing_location": UK,
        "automated_decisions": False,
        "sources": [OLDHAM, CAMBS_PBORO, WIGAN_CF],
        "promises": ["P12", "P13", "P14", "P15", "P21", "P27"],
    },
    {
        "code": "research",
        "name": "Research into how well support works",
        "description": (
            "We may share pseudonymised information, where names are replaced by a reference number, with "
            "government departments, other councils and approved researchers evaluating early help. It is used "
            "only for research, never to make decisions about you, is not given back to us, and is destroyed "
            "when the research ends."
        ),
        "article_6": "6(1)(e)",
        "article_9": "9(2)(g)",
        "article_10": ART10_STATUTORY,
        "schedule_1_condition": SCH1_STATUTORY,
        "consent_required": False,
        "data_categories": ["pseudonymised family and person reference numbers", "age band and gender",
                            "family needs", "support given", "outcomes"],
        "special_category": ["health", "ethnic origin"],
        "criminal_offence_data": True,
        "data_subjects": [*FAMILY],
        "recipient_types": ["dluhc_dfe", "ons", "other_la", "approved_researchers"],
        "retention": "EXTRACT+1",
        "retention_note": (
            "Our copy of each extract is kept for 1 year after it is sent; researchers destroy theirs when the "
            "research ends. Each project gets its own reference numbers, so extracts cannot be joined up."
        ),
        "statutes": ["Digital Economy Act 2017 s35", "Children Act 2004 s10"],
        "processing_location": UK,
        "automated_decisions": False,
        "sources": [OLDHAM, WIGAN_CF, SHROPSHIRE],
        "promises": ["P11", "P12", "P13", "P14", "P15", "P21"],
    },
    {
        "code": "statistics",
        "name": "Statistics and planning services",
        "description": (
            "We use information about the families we support to produce statistics and reports that cannot be "
            "linked back to you or your family. They help us plan and commission services, see how well we and "
            "our partners are doing, and report to government; small numbers are hidden."
        ),
        "article_6": "6(1)(e)",
        "article_9": "9(2)(g)",
        "article_10": ART10_STATUTORY,
        "schedule_1_condition": SCH1_STATUTORY + "; Sch 1 Part 2 para 8: equality of opportunity or treatment",
        "consent_required": False,
        "data_categories": ["family needs", "support given", "outcomes", "age and gender", "ethnicity",
                            "feedback about the service"],
        "special_category": ["health", "ethnic origin"],
        "criminal_offence_data": True,
        "data_subjects": [*FAMILY],
        "recipient_types": ["local_authority", "dluhc_dfe"],
        "retention": "EVENT+1",
        "retention_note": (
            "Working files are deleted 1 year after a report is produced. Published statistics do not identify "
            "anyone, so they are not personal information."
        ),
        "statutes": ["Children Act 2004 s10", "Education Act 1996", "Localism Act 2011 s1"],
        "processing_location": UK,
        "automated_decisions": False,
        "sources": [WIGAN_EH, OLDHAM, WIGAN_CF, SHROPSHIRE],
        "promises": ["P11", "P13", "P14", "P15", "P21"],
    },
    {
        "code": "rights_requests",
        "name": "Handling your data protection requests",
        "description": (
            "When you ask to see, correct or delete your information, ask us to restrict or stop using it, or "
            "make a complaint, we use your information to deal with it. We keep a record of what we decided "
            "and why."
        ),
        "article_6": "6(1)(c)",
        "article_9": "9(2)(g)",
        "article_10": ART10_STATUTORY,
        "schedule_1_condition": SCH1_STATUTORY,
        "consent_required": False,
        "data_categories": ["names and contact details", "proof of identity or authority", "the request",
                            "records disclosed or withheld", "decisions and reasons", "complaints"],
        "special_category": [*SENSITIVE],
        "criminal_offence_data": True,
        "data_subjects": [*FAMILY, "people acting for them", "professionals"],
        "recipient_types": ["local_authority", "ico"],
        "retention": "RIGHTS+2",
        "retention_note": (
            "Kept for 2 years after the request is closed, so that any complaint to the Information "
            "Commissioner's Office can be answered. Corrections stay in the case record's history."
        ),
        "statutes": ["UK GDPR Articles 12 to 22", "Data Protection Act 2018", "Data (Use and Access) Act 2025"],
        "processing_location": UK,
        "automated_decisions": False,
        "sources": [*SEED_FILES],
        "promises": ["P5", "P9", "P14", "P15", "P19", "P25"],
    },
]

NOTICE_STATEMENTS = [
    {"promise": "P1", "heading": "We only ask for what we need", "text": (
        "We only ask for the information we need to help you and your family. Some questions in the early help "
        "assessment may not apply to you; when they do not, we record nothing."
    )},
    {"promise": "P2", "heading": "Only people who need to know can see your information", "text": (
        "Your information is protected so that nobody has access to it who should not. It is not available to "
        "every practitioner working with your family: each person sees only what they need to know, and we "
        "keep a record of everyone who looks at it."
    )},
    {"promise": "P3", "heading": "Knowing when you have a choice", "text": (
        "We will tell you when giving us information is your choice, and questions you do not have to answer "
        "are marked as optional. If you do not give us information we need, we may not be able to provide the "
        "support you want."
    )},
    {"promise": "P4", "heading": "How long we keep your information", "text": (
        "We do not keep your information for longer than necessary. Early help records are kept for 6 years "
        "after your family's case is closed, in line with our retention schedule, and a member of staff checks "
        "them before they are securely destroyed."
    )},
    {"promise": "P5", "heading": "Telling us about changes and mistakes", "text": (
        "Please tell us as soon as possible if your details change or you notice a mistake, and we will correct "
        "your record. We keep a history of changes; if we do not agree that something is wrong, we will note "
        "on your record that you disagree."
    )},
    {"promise": "P6", "heading": "How early help works", "text": (
        "Early help is built on four things being in place for your family: a whole-family assessment, a family "
        "plan, a lead worker and your signed consent."
    )},
    {"promise": "P7", "heading": "Who we share your information with", "text": (
        "We share information only with the types of organisation listed in this notice. We will ask your "
        "consent before sharing with anyone else, unless the law requires or allows us to share, for example to "
        "protect you or someone else from harm, because a crime or fraud has been or may be committed, or "
        "because a child or adult is at risk. We record the reasons for every decision to share without your "
        "consent, whether or not we share."
    )},
    {"promise": "P8", "heading": "Sharing only what is relevant", "text": (
        "We only share information where it is relevant, and only as much as is needed for your family's "
        "needs."
    )},
    {"promise": "P9", "heading": "Withdrawing your consent", "text": (
        "You can withdraw your consent at any time by telling your lead worker or the Early Help service, in "
        "writing if you can. We will process it within 14 days. Withdrawing does not affect anything we lawfully "
        "did before, and we may still share information without consent where someone is at risk."
    )},
    {"promise": "P10", "heading": "Your feedback", "text": (
        "When your support comes to an end, we may ask you for feedback about the service. You do not have to "
        "give it."
    )},
    {"promise": "P11", "heading": "Statistics and reports", "text": (
        "We use information about you and your family to produce statistics and reports that cannot be linked "
        "back to you. Small numbers are hidden so that no family can be identified."
    )},
    {"promise": "P12", "heading": "National research", "text": (
        "For national research we share pseudonymised family information: each family has a reference number "
        "that does not identify you. It is used only for research, never to make decisions about you or your "
        "family, is not shared back with us, and is destroyed when the research ends."
    )},
    {"promise": "P13", "heading": "People make the decisions", "text": (
        "All decisions about you and your family are made by people. The system may suggest, for example, "
        "that two records are the same person, but a member of staff always decides; nothing is decided "
        "automatically."
    )},
    {"promise": "P14", "heading": "Your information stays in the UK", "text": (
        "All your information is stored and processed in the United Kingdom."
    )},
    {"promise": "P15", "heading": "Our legal reasons", "text": (
        "For each purpose in this notice we say which law allows it. We mainly rely on our public tasks "
        "(UK GDPR Article 6(1)(e)) and our legal obligations (Article 6(1)(c)). Health, ethnicity and other "
        "sensitive information is used for health and social care (Article 9(2)(h)) or for reasons of "
        "substantial public interest (Article 9(2)(g)), and information about offences under Article 10, each "
        "with a condition in Schedule 1 of the Data Protection Act 2018. Where a service relies on your consent, "
        "we say so and ask you first."
    )},
    {"promise": "P16", "heading": "Extra protection for sensitive information", "text": (
        "Information about health, ethnicity, religion, sexuality and offending needs more protection. Only "
        "people who need the detail can see it; most partners see only a marker that it exists."
    )},
    {"promise": "P17", "heading": "No surprises", "text": (
        "We will always explain who has given us information about your family and why, and who we share it "
        "with, so there are no surprises about who is involved. If you are worried about your information being "
        "shared, talk to your lead worker."
    )},
    {"promise": "P18", "heading": "Partners using the case system", "text": (
        "Schools, early years settings and some health services can use our case system only through a "
        "designated professional. We control and regularly review this access. They may see personal "
        "information and some markers, for example that a child is looked after or is receiving support from "
        "children's social care."
    )},
    {"promise": "P19", "heading": "Your rights", "text": (
        "You have the right to ask for a copy of your information free of charge, and to ask us to correct it, "
        "delete it, restrict its use, transfer it (where this applies), or stop using it, and to challenge "
        "any decision made without a person. We will reply within one calendar month; for complex requests we "
        "may take up to two more months and will tell you why within the first month."
    )},
    {"promise": "P20", "heading": "Records we must keep longer", "text": (
        "The Independent Inquiry into Child Sexual Abuse (the Goddard inquiry) instructed councils not to "
        "destroy records that may be relevant to it. While that instruction applies, no social care record of "
        "that kind is deleted: a legal hold stops it being destroyed."
    )},
    {"promise": "P21", "heading": "No selling or marketing", "text": (
        "We will never sell or rent your information, and we will not share it with anyone for marketing."
    )},
    {"promise": "P22", "heading": "How we collect information", "text": (
        "We record information you give us however you contact us: through our website, in writing, by "
        "phone, by email or face to face, and information partners give us when they refer you."
    )},
    {"promise": "P23", "heading": "Keeping your information safe", "text": (
        "We have physical, electronic and managerial safeguards to protect your information from unauthorised "
        "access, loss, misuse, alteration or corruption, including secure sign-in and a tamper-evident record "
        "of who has seen or changed it."
    )},
    {"promise": "P24", "heading": "Children under 13", "text": (
        "If you are under 13 and using one of our online services, please ask your parent or guardian for "
        "permission before you give us any personal information."
    )},
    {"promise": "P25", "heading": "Complaints", "text": (
        "If you are unhappy with how we have used your information, please contact our Data Protection "
        "Officer. If you are still unhappy, you can complain to the Information Commissioner's Office, Wycliffe "
        "House, Water Lane, Wilmslow, Cheshire SK9 5AF, telephone 0303 123 1113."
    )},
    {"promise": "P26", "heading": "Multi-agency panels", "text": (
        "If your family is discussed at a multi-agency panel, such as a Multi-Agency Support Group, the "
        "professionals on the panel see only the information the panel needs. Your lead worker will explain "
        "this first so that you can make an informed decision."
    )},
    {"promise": "P27", "heading": "The Supporting Families National Impact Study", "text": (
        "All councils take part in the government's evaluation of Supporting Families. We send the Office for "
        "National Statistics names, dates of birth, gender, postcodes, National Insurance numbers and unique "
        "pupil numbers (and NHS and police national computer numbers where we hold them), the needs your family "
        "met, the status of your support and progress information every six months. You can tell us if you do "
        "not want your information included, and we will record it."
    )},
    {"promise": "P28", "heading": "Photographs and recordings", "text": (
        "We only keep photographs, film or voice recordings of children and young people where the law "
        "requires it, to help identify them, or as part of therapeutic work such as life story work, and we "
        "record the reason each time."
    )},
]
