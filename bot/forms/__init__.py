"""Request forms: a department's own questions, the form that asks them, and the answers kept
with each request."""
