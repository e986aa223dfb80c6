"""The data team's Supporting Families services: the shortlist, sustainment checks and claims."""
