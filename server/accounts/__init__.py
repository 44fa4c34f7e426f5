"""People: accounts, roles, passwords (argon2id) and invitation links."""
