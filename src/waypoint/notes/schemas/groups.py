"""Inputs of the groups part, shared by the API and the HTML forms."""
