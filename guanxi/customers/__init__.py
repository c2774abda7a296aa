"""Customers: the unified customer record, groups, lifecycle, holdings and transactions."""
