"""The conversation about a request in one thread: agents' replies in the card's thread reach the
requester in a thread of the app's DM with them, and the requester's replies there come back."""
