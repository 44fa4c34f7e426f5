"""Clients of a team and their sites: who calls, where the technician goes, whom to ask."""
