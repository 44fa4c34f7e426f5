"""Swaps and cover requests: asked on the phone, checked against the law, approved by managers."""
