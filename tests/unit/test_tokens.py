"""The one token module: what is stored is the SHA-256 of what is handed out, never the token."""

from __future__ import annotations

import hashlib

from server.tokens import hash_token, new_token


def test_a_token_has_the_entropy_asked_and_is_safe_in_an_address() -> None:
    token = new_token(32)
    # 32 random bytes in URL-safe base64 without padding: 43 characters, none to escape.
    assert len(token) == 43
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert new_token(32) != token


def test_the_stored_hash_is_the_sha256_that_older_rows_and_migration_0010_hold() -> None:
    # Rows written before this module (sessions, invitations, feeds hashed in place by
    # migration 0010) must still be found: the hash is the plain SHA-256 hex of the token.
    assert hash_token("abc") == hashlib.sha256(b"abc").hexdigest()
    assert hash_token("abc") != "abc"
