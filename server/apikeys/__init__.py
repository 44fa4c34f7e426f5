"""API keys for integrations (monitoring, phone systems): one team each, stored hashed."""
