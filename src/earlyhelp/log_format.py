"""Log lines as JSON, one per line, with no personal data (issue 16; docs/operations.md).

What the code logs is written to carry none (ids and kinds only). An exception's text is another matter: a
database error repeats the values it refused, a validation error the answer it rejected. So an error is logged as
its kind and where it happened (file, line and function of each frame), never its message or the values in play.
Settings choose the format (EARLYHELP_LOG_FORMAT: "json", the default in production, or "plain") and where lines go
(EARLYHELP_LOG_FILE, or standard error).
"""

import datetime
import json
import logging
import traceback


def where(exc_info) -> dict:
    """An exception's kind and frames, without its message."""
    kind, _error, trace = exc_info
    frames = [f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(trace)]
    return {"error": kind.__name__ if kind else "", "frames": frames}


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "status_code", None):
            entry["status"] = record.status_code
        if record.exc_info and record.exc_info[0] is not None:
            entry.update(where(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class Plain(logging.Formatter):
    """For a developer's console: the same line in words, an error still without its message."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def formatException(self, exc_info) -> str:
        found = where(exc_info)
        return "\n".join([f"{found['error']} (its message is not logged), at:", *found["frames"]])
