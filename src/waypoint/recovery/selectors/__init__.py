"""Recovery selectors (reads), one module per part."""
