"""Transitional: what the steps shared moved to server/swaps/machine.py, workflow.py and
evaluate.py (removed with the controllers' rename, issue 12)."""

from server.swaps.evaluate import explain
from server.swaps.store.requests import names_of

__all__ = ["explain", "names_of"]
