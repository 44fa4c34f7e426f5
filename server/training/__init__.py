"""Training sessions, who attended, and what changed in their figures afterwards."""
