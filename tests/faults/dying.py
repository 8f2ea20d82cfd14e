"""`minga run` with its outbox task made to die every time it starts.

For the supervision scenario: the real entry point (`bot.cli.main`), one injected fault, and
the parent checks that the process gives up with a non-zero exit code instead of living on
deaf. Usage: python -m tests.faults.dying CONFIG
"""

from __future__ import annotations

import sys

from bot.cli import main
from bot.outbox import OutboxWorker


async def _dies(self: OutboxWorker) -> None:
    raise RuntimeError("injected by the fault suite")


if __name__ == "__main__":
    OutboxWorker.run = _dies  # type: ignore[method-assign]
    sys.exit(main(["run", "--config", sys.argv[1]]))
