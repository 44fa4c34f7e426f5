"""Alerts: intake with dedup, routing to who is on call, escalation until someone acknowledges."""
