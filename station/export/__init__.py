"""End-of-day packs: collect, encrypt and write to USB; import and merge at the office; the day report."""
