"""Database backends of Waypoint (``sqlite3``: SQLite with a queue of writers)."""
