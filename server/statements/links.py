"""Where the statement's downloads are served (server/statements/api.py), for the pages that
link to them: one place, so a link and its route cannot drift apart.

The payroll CSV is at `/teams/{team}/statements/{YYYY-MM}/payroll.csv`, not `…/{YYYY-MM}.csv`:
Litestar matches whole path segments only, so `{YYYY-MM}.csv` and the manager's month page
`/teams/{team}/statements/{YYYY-MM}` would be one route template, and the later handler would
silently replace the other."""

from __future__ import annotations

PAYROLL_FILE = "payroll.csv"


def pdf_url(person_id: int, month: str, version: int, team_id: int) -> str:
    """A closed version's PDF. `team` tells apart a person's statements in two teams."""
    return f"/statements/{person_id}/{month}/v{version}.pdf?team={team_id}"


def payroll_csv_url(team_id: int, month: str) -> str:
    """A team's month for payroll, one row per person."""
    return f"/teams/{team_id}/statements/{month}/{PAYROLL_FILE}"


def api_url(team_id: int, month: str) -> str:
    """The same figures as JSON, for an integration with the team's API key."""
    return f"/api/v1/teams/{team_id}/statements?month={month}"
