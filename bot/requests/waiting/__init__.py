"""Waiting on the requester: an agent asks something, the service levels' clock stops, the
requester's reply starts it again; a department may nudge and then close a request left
unanswered."""
