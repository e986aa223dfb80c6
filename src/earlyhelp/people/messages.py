"""What people's records say when a rule is not met, where more than one place says it: the service that
enforces the rule and the form that asks the question read the same words from here."""

ENTER_GIVEN_NAME = "Enter a given name"
ENTER_FAMILY_NAME = "Enter a family name"
# The required-name rule (`people.services.missing_names`): a person's given and family names, and what to say
# when one is blank.
REQUIRED_NAMES = {"given_name": ENTER_GIVEN_NAME, "family_name": ENTER_FAMILY_NAME}

ENTER_ADDRESS_LINE_1 = "Enter the first line of the address"
ENTER_TOWN = "Enter the town or city"

MEMBERSHIP_ENDS_BEFORE_IT_STARTS = "The date they left must be the same as or after the date they joined"
