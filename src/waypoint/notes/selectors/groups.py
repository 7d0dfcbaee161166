"""Reads of the groups part (issue 18)."""
