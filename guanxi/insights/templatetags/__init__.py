"""Template tags of the analytics pages."""
