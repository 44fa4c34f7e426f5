"""Needs analysis: how many people must be on call at once for the call volume (Erlang C),
from the team's own history, beside what the schedule provides."""
