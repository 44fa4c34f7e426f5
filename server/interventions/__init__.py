"""Interventions: logged on the phone, offline if need be, synced exactly once."""
