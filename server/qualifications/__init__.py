"""Qualifications: a company catalogue, who holds what until when, and the shifts that need them."""
