"""Demo data rebuilt from the seed news reports."""
