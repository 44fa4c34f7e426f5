-- Why: client search (by name, contact, e-mail, reference, number or site address; prefix or
-- substring, case and accents ignored) answers from one folded column per client, rewritten by
-- every write of the client, its sites or numbers: a substring scan of one team's 10,000 short
-- texts takes a few milliseconds, so no full-text index (FTS5 finds words, not substrings of
-- numbers like "12 34").
ALTER TABLE clients ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
