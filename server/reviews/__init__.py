"""The monthly service review: the month's figures against the previous month, recurring
problems, rest health and the actions the team decided, carried over until done."""
