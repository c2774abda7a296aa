"""Template tags and filters of the web shell."""
