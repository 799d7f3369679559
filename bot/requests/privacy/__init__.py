"""Private requests: a card that names the request by its reference alone, and its text shown to
the department's agents only, when they ask for it."""
