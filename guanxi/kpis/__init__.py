"""Process KPIs: how account managers, teams and branches work their customers, leads and
opportunities over a period."""
