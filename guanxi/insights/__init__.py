"""Insights: the Django side of analytics — runs it on the store, keeps scores with history."""
