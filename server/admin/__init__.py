"""The administrator's home: the company at a glance and the next things to do."""
