"""Logging in: sessions, the login rate limit, guards for each role, and API keys on requests."""
