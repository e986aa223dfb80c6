"""Messages owned by the privacy core's services and read by the forms that feed them, in any app."""

# Every human decision on a suggestion (P13) and every redaction decision needs a reason.
ENTER_DECISION_REASON = "Enter the reason for your decision"
