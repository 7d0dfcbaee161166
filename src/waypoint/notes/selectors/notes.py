"""Reads of the notes part (issue 18)."""
