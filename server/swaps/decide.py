"""Transitional: the decisions moved to server/swaps/workflow.py (removed with the controllers'
rename, issue 12)."""

from server.swaps.workflow import approve, reject

__all__ = ["approve", "reject"]
