class RecordIdConverter:
    """A database id in a URL: digits that fit a 64-bit integer, so a huge number is a 404, not a 500."""

    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)
