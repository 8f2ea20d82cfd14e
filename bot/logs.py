"""Logging set-up. Below debug, nothing logs message content, titles or names."""

from __future__ import annotations

import logging

CONTENT_WARNING = (
    "LOG LEVEL IS DEBUG: logs may now contain message content and member data. "
    "Do not keep these logs; switch back to log_level = \"info\" when done."
)


def setup_logging(level: int) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # nio and aiohttp log event bodies at debug; keep them quiet unless asked.
    for noisy in ("nio", "aiohttp", "apscheduler", "peewee"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    if level <= logging.DEBUG:
        logging.getLogger("minga").warning(CONTENT_WARNING)
