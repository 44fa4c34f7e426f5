"""The monthly on-call statement (R3121-2): minutes by kind of day and night, and their pay."""
