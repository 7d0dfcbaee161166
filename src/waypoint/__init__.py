"""Waypoint: software to run an opioid use disorder treatment program."""

__version__ = "0.1.0"
