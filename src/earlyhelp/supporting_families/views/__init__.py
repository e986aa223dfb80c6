"""Supporting Families pages for the data team; each module lists its own URL patterns."""
