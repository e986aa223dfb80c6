"""What casework says when a rule is not met, where more than one place says it: the service that enforces the
rule and the form that asks the question read the same words from here."""

# A question the form requires and the service checks again.
ENTER_CONTACT_REASON = "Enter the reason for the contact"
SELECT_WHAT_HAPPENS_NEXT = "Select what happens next"
ENTER_ASSESSMENT_REASON = "Enter the reason for the assessment"
ENTER_NEED = "Enter the need"
ENTER_ACTION = "Enter the action"
ENTER_INTENDED_OUTCOME = "Enter the intended outcome"
ENTER_REVIEW_SUMMARY = "Enter a summary of the review"
ENTER_CLOSURE_SUMMARY = "Enter a closure summary"
ENTER_OPEN_ACTIONS_REASON = ("Some plan actions are still open: enter why the episode should close before they are "
                             "done, or update the actions first")
ENTER_STEP_UP_REASON = "Enter the reason for stepping up"
ENTER_CASE_NOTE = "Enter the case note"
ENTER_REFERRAL_SERVICE = "Enter the service the family is being referred to"
CHOOSE_WHETHER_AREA_APPLIES = "Choose whether {area} applies to this family"

# A rule more than one service enforces.
EPISODE_CLOSED = "This episode is closed"
PRACTITIONER_EXCLUDED = "This practitioner is named as someone who must not see this family"

# Supporting Families needs on the family's case.
CHOOSE_NEED_PERSON = "Choose who the need is about: a current member of the family, or the whole family"
NEEDS_NEED_AN_OPEN_EPISODE = "Needs are recorded on an open episode: this family has none"

# Proportionate sharing with the Team Around the Family (P8).
CHOOSE_TAF_SECTIONS_FROM_LIST = "Choose the sections they will see from the list"
TAF_SECTIONS_UNCHANGED = "They already see these sections: choose sections to add or remove"
