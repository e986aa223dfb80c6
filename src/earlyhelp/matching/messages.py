"""Messages the data team sees, owned by the services that apply the rule and read by their forms."""

from earlyhelp.privacy.messages import ENTER_DECISION_REASON

CHOOSE_PARTNER = "Choose the partner that sent the file"
CHOOSE_PURPOSE = "Choose the purpose the data will be used for"
CHOOSE_FILE = "Choose the file to upload"
FILE_EMPTY = "The file is empty: choose the file the partner sent"
ENTER_REASON = ENTER_DECISION_REASON  # the decisions service's own rule
REASON_TOO_LONG = "The reason must be 2,000 characters or fewer"
