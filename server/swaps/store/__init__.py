"""All the SQL of swaps, by topic: requests (with their declines and approval tokens),
skills, and the shift writes that hand a shift over when a request applies."""

# Transitional, until the controllers import the topic modules (issue 12).
from server.swaps.store.requests import (
    awaiting_approval,
    count_awaiting,
    find_approval_token,
    get_swap,
    issue_approval_token,
    list_swaps,
    live_for_shift,
    next_awaiting_expiry,
    open_to,
)

__all__ = [
    "awaiting_approval",
    "count_awaiting",
    "find_approval_token",
    "get_swap",
    "issue_approval_token",
    "list_swaps",
    "live_for_shift",
    "next_awaiting_expiry",
    "open_to",
]
