"""Audit trail browser (supervisors)."""
