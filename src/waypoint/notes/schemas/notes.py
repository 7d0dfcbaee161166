"""Inputs of the notes part, shared by the API and the HTML forms."""
