"""Benchmarks of Astreinte, run on demand with `python -m bench` (never in the test suite)."""
