"""Satisfaction: the client asked after each intervention, and what they answered."""
