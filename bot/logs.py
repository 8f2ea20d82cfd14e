"""Logging set-up. Below debug, nothing logs message content, titles or names."""

from __future__ import annotations

import logging

CONTENT_WARNING = (
    "LOG LEVEL IS DEBUG: logs may now contain message content and member data. "
    "Do not keep these logs; switch back to log_level = \"info\" when done."
)


class HideFailedLoginNoise(logging.Filter):
    """nio warns "'user_id' is a required property" when a login is refused: it checks
    the error answer against the success schema first. The refusal itself is reported in
    one clear line, so the warning only misleads; at debug it stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = str(record.msg)
        return not (text.startswith("Error validating response")
                    and "is a required property" in text)


def setup_logging(level: int) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # nio and aiohttp log event bodies at debug; keep them quiet unless asked.
    for noisy in ("nio", "aiohttp", "apscheduler", "peewee"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    if level > logging.DEBUG:
        logging.getLogger("nio.responses").addFilter(HideFailedLoginNoise())
    if level <= logging.DEBUG:
        logging.getLogger("minga").warning(CONTENT_WARNING)
