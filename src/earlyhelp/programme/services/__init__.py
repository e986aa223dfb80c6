"""Supporting Families services that casework and matching call: the framework, needs and progress."""
