"""Inputs of the counseling part, shared by the API and the HTML forms."""
