"""Writes of clinical documentation, one module per part."""
