"""Statistics, returns and research pages; each module lists its own URL patterns."""
