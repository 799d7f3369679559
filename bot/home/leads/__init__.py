"""A lead's and an admin's part of App Home."""
