"""All of the figures' SQL, by topic: alerts (volume, response times, escalation, heat map,
recurring problems) and people (on-call load, interruptions, rest)."""
