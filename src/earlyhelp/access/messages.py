"""What access changes say when a rule is not met, where more than one place says it: the service that enforces
the rule and the form that asks the question read the same words from here."""

ENTER_EMERGENCY_ACCESS_REASON = "Enter why you need to see this family's record now"
ENTER_REVIEW_CONCLUSION = "Enter your conclusion: was the access justified?"
