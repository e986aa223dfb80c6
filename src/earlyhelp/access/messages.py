"""What access changes say when a rule is not met, where more than one place says it: the service that enforces
the rule and the form that asks the question read the same words from here."""

ENTER_EMERGENCY_ACCESS_REASON = "Enter why you need to see this family's record now"
ENTER_REVIEW_CONCLUSION = "Enter your conclusion: was the access justified?"

# The family's "who should not see this" (B3): the consent form offers organisation types, the service checks them.
CHOOSE_EXCLUDED_TYPES = ("Choose organisation types from the list: the council itself cannot be excluded, as nobody "
                         "could then support the family")

# Reviewing partners' access (P18): a reason is asked for only where access is removed.
ENTER_REMOVAL_REASON = "Enter why the access is being removed"
SELECT_PARTNER_ACCESS = "Select the partners' access you have reviewed"
NO_LONGER_WAITING = "There is no such partner access waiting for your review"
