"""All the SQL of swaps, by topic: requests (with their declines, approval tokens and the few
facts about people the steps need) and the shift writes that hand a shift over when a
request applies. Callers import the topic module they need."""
