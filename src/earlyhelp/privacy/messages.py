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

# Consent to support as the council's rule (P6, `services.consent.support_consent_gap`): what starting an assessment
# or a plan says when the rule is on and the family's consent is missing, and what the family page shows.
SUPPORT_NEEDS_CONSENT = ("The family has not given consent to early help support. This council needs it before an "
                         "assessment or a family plan can start: record their consent first")
SUPPORT_NEEDS_SIGNED_CONSENT = ("The family's consent to support was given verbally. This council needs a signed "
                                "consent form before an assessment or a family plan can start: record the signed form")
SUPPORT_CONSENT_WITHDRAWN = ("The family has withdrawn their consent to early help support, so no new assessment or "
                             "plan can start. What was recorded before the withdrawal stays, as the law allows; "
                             "record new consent if the family agrees again")
ENTER_CONSENT_RULES_REASON = "Enter why the rule is changing: it is kept in the rule's history"


def excluded_recipient(exclusion) -> str:
    """Why sharing with someone the family said must not see their information is refused (B3)."""
    who = ("this practitioner" if exclusion.user_id else
           f"{exclusion.get_organisation_type_display().lower()} organisations")
    return (f"The family asked that {who} must not see their information: nothing has been shared. Only a manager "
            "of the team holding the family can lift that, with the family's agreement or for a recorded legal "
            "reason")
