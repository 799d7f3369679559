"""Logging configured once: stable event names, with ids from `extra` appended as key=value."""

from __future__ import annotations

import logging

_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRIBUTES}
        if not extras:
            return line
        pairs = " ".join(f"{key}={value}" for key, value in sorted(extras.items()))
        head, _, rest = line.partition("\n")
        return f"{head} {pairs}" + (f"\n{rest}" if rest else "")


def configure_logging(level: int) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(KeyValueFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # APScheduler logs every tick at INFO; the runner logs what the ticks did.
    logging.getLogger("apscheduler").setLevel(max(level, logging.WARNING))
    # At DEBUG the Slack libraries log every payload and Web API call in full: tokens aside,
    # that puts people's words, and who answered the anonymous pulse when, into the log.
    for library in ("slack_sdk", "slack_bolt"):
        logging.getLogger(library).setLevel(max(level, logging.INFO))
