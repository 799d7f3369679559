"""Exports: every request as rows, written as they are read, for a spreadsheet or another tool."""
