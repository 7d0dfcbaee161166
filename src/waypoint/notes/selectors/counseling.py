"""Reads of the counseling part (issue 18)."""
