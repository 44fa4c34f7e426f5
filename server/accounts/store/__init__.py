"""All of the accounts package's SQL: people (users.py), invitation links (invitations.py) and
what ends with someone's access (cut_off.py)."""

from server.accounts.store.cut_off import cut_off_from_team, cut_off_person
from server.accounts.store.invitations import (
    accept_invitation,
    create_invitation,
    expired_invitation,
    invitation_user,
)
from server.accounts.store.users import (
    create_user,
    current_user,
    get_user,
    list_users,
    set_password,
    update_preferences,
    update_user,
    user_row_by_email,
)

__all__ = [
    "accept_invitation",
    "create_invitation",
    "create_user",
    "current_user",
    "cut_off_from_team",
    "cut_off_person",
    "expired_invitation",
    "get_user",
    "invitation_user",
    "list_users",
    "set_password",
    "update_preferences",
    "update_user",
    "user_row_by_email",
]
