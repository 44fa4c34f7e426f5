"""In-app notifications: the seam every notice goes through (push and email join it later)."""
