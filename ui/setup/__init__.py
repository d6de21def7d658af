"""First-run set-up: site, station number, administrator, recovery code."""
