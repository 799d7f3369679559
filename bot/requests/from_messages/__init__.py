"""Requests from any message: the File a request shortcut opens the form with the message in
it, and a request emoji files it for its author at once."""
