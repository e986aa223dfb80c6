"""What rights requests say when a rule is not met, where more than one place says it: the service that enforces
the rule and the form that asks the question read the same words from here."""

# Rules every rights service shares (`services._common`), said by the selectors and several services too.
ONLY_THE_DPO_HANDLES_REQUESTS = "Only the data protection officer handles rights requests"
ALREADY_DECIDED = "A decision has already been made on this request"
CLOCK_PAUSED = "Record the clarification first: the clock is paused"
NO_RECORD_OF_PERSON = "There is no record of this person on the system"

# Logging a request and checking identity (`services.intake`).
CHOOSE_REQUEST_KIND = "Choose what the person is asking for"
ENTER_RECEIVED_ON = "Enter the date the request was received"
CHOOSE_CHANNEL = "Choose how the request was made"
CHOOSE_REQUESTER_RELATIONSHIP = "Choose how the requester is connected to the person"
CHOOSE_IDENTITY_CHECK = "Choose whether you have checked the requester's identity"
ENTER_ID_EVIDENCE = "Enter the proof of identity you saw"
SUBJECT_ALREADY_MATCHED = "This request already names the person it is about"

# The requester's details: the same rules for a request the DPO logs and one made through the online form
# (`services.intake.requester_errors`), in words for the DPO and in words for the requester.
STAFF_REQUESTER_WORDS = {
    "requester_name": "Enter who made the request",
    "requester_relationship": CHOOSE_REQUESTER_RELATIONSHIP,
    "requester_relationship_detail": "Enter how the requester is connected to the person",
    "requester_address": ("Enter at least one way to reply to the requester: a postal address, an email "
                          "address or a telephone number"),
    "requester_email": "Enter an email address in the correct format, like name@example.com",
}
ONLINE_REQUESTER_WORDS = {
    "requester_name": "Enter your full name",
    "requester_relationship": "Select who the request is about",
    "requester_relationship_detail": "Enter how you are connected to the person the request is about",
    "requester_address": "Enter at least one way for us to reply to you: an email address, a postal address or a "
                         "telephone number",
    "requester_email": "Enter an email address in the correct format, like name@example.com",
}

# A request made through the online form (`services.online`).
CHOOSE_ONLINE_KIND = "Select what you are asking for"
ENTER_SUBJECT_NAME = "Enter the full name of the person the request is about"
SUBJECT_BORN_IN_FUTURE = "Date of birth must be in the past"
ENTER_ONLINE_DETAILS = {
    "access": "",
    "rectification": "Enter what is wrong and what it should say",
    "consent_withdrawal": "Enter what you no longer agree to",
    "complaint": "Enter your complaint",
}
TOO_LONG = "{label} must be {limit} characters or fewer"

# The statutory clock: clarification and extension (`services.clock`).
ENTER_CLARIFICATION_ASKED_ON = "Enter the date you asked for clarification"
ENTER_CLARIFICATION_ASKED = "Enter what you asked the requester to clarify"
ENTER_CLARIFICATION_ARRIVED_ON = "Enter the date the clarification arrived"
ENTER_EXTENSION_REASON = "Enter why the request needs more time"
ENTER_EXTENSION_NOTIFIED_ON = "Enter the date you told the requester about the extension"

# A record marked as disputed (`services.rectification`).
ENTER_DISPUTED = "Enter what the person says is wrong"
ENTER_STATEMENT = "Enter the person's statement, in their words"
ENTER_COUNCIL_REASON = "Enter why the council is not changing the record"

# Telling a recipient (`services.notifications`, Article 19).
CHOOSE_NOTIFICATION_METHOD = "Choose how you told the recipient"
ENTER_RECIPIENT_TOLD_ON = "Enter the date you told the recipient"

# Lifting a restriction (`services.restriction`, Article 18).
ENTER_LIFT_REASON = "Enter why the restriction is being lifted"
ENTER_PERSON_TOLD_ON = "Enter the date you told the person the restriction would be lifted"

# A decision on a request needs reasons unless it was done as asked (`services.decisions`). Rights' own rule: the
# disclosure log's (`privacy.messages.ENTER_DISCLOSURE_REASONS`) happens to use the same words.
ENTER_DECISION_REASONS = "Enter the reasons for the decision"

# Releasing a subject access pack (`services.subject_access`).
CONFIRM_RELEASE = "Confirm that you are releasing this pack to the requester"
