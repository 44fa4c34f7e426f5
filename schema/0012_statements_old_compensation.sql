-- Why: the team policy's float compensation fields (an amount per on-call hour and a holiday
-- multiplier) were never paid from; the statements' compensation (migration 0011, in whole
-- cents, per kind of day) replaces them. Dropped from each team's policy JSON, which is read
-- strictly (an unknown field is refused), and not carried over: their default of 2.50 € was
-- never chosen by anyone, and would have made every team look as if compensation were set.

UPDATE teams SET policy = json_remove(
    policy, '$.compensation_per_oncall_hour', '$.compensation_holiday_multiplier'
);
