"""Clients in SQL: clients and sites (clients.py); look-ups of calls and phones (lookup.py)."""
