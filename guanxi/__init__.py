"""Guanxi CRM: the unified customer record, daily CRM work and customer analytics."""
