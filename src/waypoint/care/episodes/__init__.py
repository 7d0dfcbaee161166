"""Episodes of care: admission, moves between levels of care, discharge (TEDS codes)."""
