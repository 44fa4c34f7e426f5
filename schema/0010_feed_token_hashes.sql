-- Why: calendar feed tokens were stored in clear, so whoever read the database (or a backup)
-- could read every subscribed schedule. Like session, invitation and API-key tokens, only their
-- SHA-256 is kept now; the addresses calendar apps are already subscribed to keep working, since
-- the server hashes the token of each request and compares. sha256_hex() is registered by
-- server/db.py on every connection.

ALTER TABLE calendar_feeds RENAME COLUMN token TO token_hash;

UPDATE calendar_feeds SET token_hash = sha256_hex(token_hash);
