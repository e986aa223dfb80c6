"""Messages about who may see a family, owned by the access services and read by their forms."""

ENTER_EMERGENCY_REASON = "Enter why you need to see this family's record now"
ENTER_REVIEW_CONCLUSION = "Enter your conclusion: was the access justified?"
