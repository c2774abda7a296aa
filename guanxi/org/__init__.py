"""Organisation: company > branch > team, users and their roles."""
