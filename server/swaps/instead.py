"""Transitional: moved to server/swaps/views.py (removed with the controllers' rename)."""

from server.swaps.views import instead_of

__all__ = ["instead_of"]
