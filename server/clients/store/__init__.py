"""Clients in SQL: clients and sites (clients.py); look-ups of calls and phones (lookup.py);
a client's history (timeline.py); the erasure of its personal data (erasure.py)."""
