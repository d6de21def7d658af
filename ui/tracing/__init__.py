"""Family tracing screens: the tracing request form, the cases list for supervisors, the alert review."""
