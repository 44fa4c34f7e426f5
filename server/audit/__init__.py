"""The audit log: who changed what, when, before and after; kept for the labour inspectorate."""
