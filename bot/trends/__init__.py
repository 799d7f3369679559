"""Trends: a department's weeks side by side, and every department's ICSQ areas, drawn as
pictures people look at."""
