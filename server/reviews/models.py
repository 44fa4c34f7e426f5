"""The review's values: an action the team decided, what a manager types for one, and how an
action reads in one month's review (new, carried over, done)."""

from __future__ import annotations

from datetime import date, datetime

from server.models import Value

# What an action says fits a line of the review and of its PDF.
WHAT_MAX = 300


class ReviewAction(Value, kw_only=True):
    id: int
    team_id: int
    month: str  # YYYY-MM: the review that decided it
    what: str
    assignee_id: int | None = None
    assignee_name: str | None = None
    due_on: date
    done_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class ActionInput(Value, kw_only=True):
    """An action as a manager typed it, checked (rules.action_input)."""

    what: str
    assignee_id: int | None = None
    due_on: date


class ActionLine(Value, kw_only=True):
    """An action as one month's review shows it."""

    action: ReviewAction
    carried_from: str | None = None  # the month that decided it, when before this one
    done_here: bool = False  # done within this review's month
    done_later: bool = False  # open at this month's end, done since (an older review)
    overdue: bool = False  # not done and its date has passed (today, team's zone)

    @property
    def open(self) -> bool:
        return not self.done_here
