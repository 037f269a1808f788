"""Structured logs: one JSON object per line, for a log collector (``LDAI_LOG_FORMAT=json``).

Why: several gunicorn and Celery processes on several machines write to one place; a collector
(journald, Loki, CloudWatch, ELK) filters on fields, not on free text. The fields are the
record's own (time, level, logger, message, process, the exception's traceback); the tool's
loggers never put a learner's text or a token in a message, so nothing more is scrubbed here.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
