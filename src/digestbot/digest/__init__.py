"""Digests: when they are due (``schedule``) and what they say (``compose``), both pure."""
