"""How the service performs: figures per team, person and period (response times, alert
volume, interruptions, on-call load and fairness, rest health, recurring problems), each
defined once in README "Figures" and computed by SQL aggregates in store/."""
