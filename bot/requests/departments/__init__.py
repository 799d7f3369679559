"""The departments as the desk keeps them: the departments file synced into the table at start,
and read back."""
