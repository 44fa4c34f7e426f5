"""Astreinte: self-hosted on-call app (shifts, push alerts, offline interventions, rest law)."""
