"""Recovery services (writes), one module per part."""
