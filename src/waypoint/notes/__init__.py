"""Clinical documentation (issue 18): see docs/NOTES.md."""
