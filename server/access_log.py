"""uvicorn's access log without the secrets some addresses carry: an invitation link (which
sets a password) and a calendar feed's address (which reads the schedule) are credentials, and
logs are kept, copied and shared far more widely than the database."""

from __future__ import annotations

import copy
import logging
import re

import uvicorn.config

REDACTED = "[redacted]"
# The token is the path segment after these; the feed's `.ics` is kept to tell what was asked.
_TOKEN_IN_PATH = re.compile(r"^(/invite/|/calendar/)[^/?#\s]+?(\.ics)?(?=$|[/?#])")


def redact(path: str) -> str:
    return _TOKEN_IN_PATH.sub(lambda m: m.group(1) + REDACTED + (m.group(2) or ""), path)


class RedactTokens(logging.Filter):
    """uvicorn logs (client, method, path with query, HTTP version, status) as the args."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], redact(args[2]), args[3], args[4])
        return True


def log_config() -> dict:
    """uvicorn's own logging configuration, with the access lines redacted."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_tokens"] = {"()": RedactTokens}
    config["handlers"]["access"]["filters"] = ["redact_tokens"]
    return config
