"""Demo: the realistic demo data generator and the one-command demo."""
