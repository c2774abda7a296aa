"""What every domain shares: extension-point registries and the domain-event outbox."""
