"""Rotations, shifts, overrides, publication with notice, acceptance, feeds and who is on call."""
