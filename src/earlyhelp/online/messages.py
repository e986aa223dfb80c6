"""What the online services say when a rule is not met: the service that enforces it and the form that asks read the
same words from here."""

CHOOSE_ROUTE = "Select who you are asking for"
REQUEST_ALREADY_SENT = "This request has already been sent"
ANSWER_THE_QUESTIONS_FIRST = "Answer all the questions before you send your request"
NEEDS_PERMISSION = ("You need a parent's or guardian's permission to ask for help online: give their details, or "
                    "get help another way")
CONFIRM_PERMISSION = "Confirm that you are their parent or guardian and give your permission"
ENTER_PHONE_OR_EMAIL = "Enter a phone number or an email address so we can contact you"
ENTER_REFERENCE = "Enter your reference"
REFERENCE_NOT_FOUND = "We could not find a request with that reference that has not been sent: check it and try again"
REQUEST_ALREADY_RECORDED = "A decision has already been made on this request"
PERSON_IN_NO_FAMILY = "This person is not a current member of a family: add them to a family first"
CHOOSE_SOURCE = "Select who the request came from"
CHOOSE_TEAM = "Select the team to send the contact to"
ENTER_CLOSE_REASON = "Enter why the request is being closed without a contact"
