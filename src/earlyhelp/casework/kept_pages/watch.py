"""What the family page shows, as data: each table it reads, and how a changed row finds the families whose pages it
is on. `triggers` turns this into database triggers; `tests/test_kept_pages_watch.py` renders the page of a family
seeded into every table and fails if it read a table not named here.

FAMILY_ROWS: model label -> the paths from a row to its families' household ids, as Django lookups ("" is the family
itself). A path may step forward along a foreign key or backward along one (a person's families are
"person__memberships__household").
EVERY_PAGE_ROWS: model label -> the columns whose change does not reach any page (the rest do); a change to one of
these rows (staff names, teams, organisations, the council's rules) puts every kept page out of date at once.
"""

PERSON = "memberships__household"

FAMILY_ROWS = {
    "people.Household": [""],
    "people.Membership": ["household"],
    "people.Person": [PERSON],
    "people.Marker": [f"person__{PERSON}"],
    "casework.Contact": ["household"],
    "casework.Episode": ["household"],
    "casework.HistoricalEpisode": ["household"],  # the chronology's status changes
    "casework.Allocation": ["episode__household"],
    "casework.TafMember": ["episode__household"],
    "casework.TafSectionChange": ["member__episode__household"],
    "casework.Assessment": ["episode__household"],
    "casework.HistoricalAssessment": ["episode__household"],
    "casework.AssessmentMember": ["assessment__episode__household"],
    "casework.DomainFinding": ["assessment__episode__household"],
    "casework.Plan": ["episode__household"],
    "casework.PlanAction": ["plan__episode__household"],
    "casework.HistoricalPlanAction": ["plan__episode__household"],
    "casework.Review": ["episode__household"],
    "casework.Transition": ["episode__household"],
    "casework.CaseNote": ["episode__household"],
    "casework.Document": ["episode__household"],
    "casework.ReferralOut": ["episode__household"],
    "programme.Need": ["household", "episode__household"],
    "programme.NeedProgress": ["need__household", "need__episode__household"],
    "privacy.Consent": ["household"],
    "privacy.Disclosure": ["household"],
    "privacy.DatasetDisclosure": ["households"],
    "privacy.DatasetDisclosure_households": ["household"],
    "privacy.Suggestion": ["household"],
    "access.AccessExclusion": ["household"],
}

EVERY_PAGE_ROWS = {
    "organisations.User": ["last_login", "password"],  # a sign-in is not a change to any page
    "organisations.Team": [],
    "organisations.Organisation": [],
    "programme.HeadlineArea": [],
    "programme.FrameworkVersion": [],
    "programme.HeadlineLabel": [],
    "programme.Descriptor": [],
    "privacy.ConsentRules": [],
    "privacy.PrivacyNotice": [],
    "privacy.ProcessingPurpose": [],
    "privacy.Panel": [],
}
