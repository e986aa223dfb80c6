"""Messages owned by the privacy core's services and read by the forms that feed them, in any app."""

# Every human decision on a suggestion (P13) and every redaction decision needs a reason.
ENTER_DECISION_REASON = "Enter the reason for your decision"

# Consent is recorded with how it was given (`services.consent`).
CHOOSE_CONSENT_EVIDENCE = "Choose how consent was given"

# Every sharing decision in the disclosure log has a basis and its reasons (`services.disclosures`).
CHOOSE_SHARING_BASIS = "Choose the basis for sharing"
ENTER_DISCLOSURE_REASONS = "Enter the reasons for the decision"

# A purpose in the processing register has a lawful basis and, for special category data, a condition that the
# register knows (`services.register`).
CHOOSE_ARTICLE_6_FROM_LIST = "Choose an Article 6 lawful basis from the list"
CHOOSE_ARTICLE_9_FROM_LIST = "Choose an Article 9 condition from the list"
