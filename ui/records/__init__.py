"""The register: today's households and search results."""
