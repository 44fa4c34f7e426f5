"""The five areas of the bottom navigation and the person's own settings."""
