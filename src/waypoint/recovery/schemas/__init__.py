"""Input schemas of the recovery API and pages, one module per part (one validation for
the API and the HTML forms)."""
