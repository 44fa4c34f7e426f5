"""Transitional: moved to server/swaps/views.py (removed with the controllers' rename)."""

from server.swaps.views import colleagues_of, exchange_context, exchange_filter

__all__ = ["colleagues_of", "exchange_context", "exchange_filter"]
