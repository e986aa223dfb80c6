"""The lists of casework a practitioner works from: families (by who holds them), reviews, plan actions and contacts
awaiting a decision. `rows` reads them through the access policy (names as `access.policy.names` allows, one query
for a page's names); `tables` and `filters` draw and narrow them with the GOV.UK list kit (`earlyhelp.ui.lists`)."""
