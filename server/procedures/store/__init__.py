"""All SQL of procedures, one module per concern (offline.py: what the phone keeps and the
checklists ticked with an intervention)."""
