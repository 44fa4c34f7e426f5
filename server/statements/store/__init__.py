"""All of the statements package's SQL, by topic (pay: compensation and wages; closings:
closings, statement versions and receipts; contacts); the names other modules read are
exported here."""

from server.statements.store.closings import (
    closed_months,
    closings_to_recheck,
    get_acknowledgement,
    get_closing,
    get_statement,
    insert_acknowledgement,
    insert_closing,
    insert_statements,
    latest_statements,
    mark_checked,
    person_statements,
    team_statements,
)
from server.statements.store.contacts import last_contacts
from server.statements.store.pay import get_compensation, save_compensation, save_wage, wages_of

__all__ = [
    "closed_months",
    "closings_to_recheck",
    "get_acknowledgement",
    "get_closing",
    "get_compensation",
    "get_statement",
    "insert_acknowledgement",
    "insert_closing",
    "insert_statements",
    "last_contacts",
    "latest_statements",
    "mark_checked",
    "person_statements",
    "save_compensation",
    "save_wage",
    "team_statements",
    "wages_of",
]
