"""Counseling sessions: scheduling (one-off or weekly), rosters, attendance, weekly hours."""
