"""Rest law: daily and weekly rest, working-time limits, interruptions by on-call work."""
