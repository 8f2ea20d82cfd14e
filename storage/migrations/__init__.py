"""The registry of numbered migrations, one module each. Append only.

A new migration is a new module `mNNNN_<name>.py` defining `MIGRATION`, listed
here in order; `storage.db.migrate` applies each in its own transaction.
"""

from __future__ import annotations

import itertools

from storage.migrations import (
    m0001_core,
    m0002_meetings,
    m0003_polls,
    m0004_interactions,
    m0005_direct,
    m0006_away,
    m0007_rota,
    m0008_actions,
    m0009_checkins,
    m0010_privacy,
    m0011_indexes,
    m0012_languages,
    m0013_meeting_revision,
    m0014_fair_times,
)
from storage.migrations.base import Migration

MIGRATIONS: tuple[Migration, ...] = (
    m0001_core.MIGRATION,
    m0002_meetings.MIGRATION,
    m0003_polls.MIGRATION,
    m0004_interactions.MIGRATION,
    m0005_direct.MIGRATION,
    m0006_away.MIGRATION,
    m0007_rota.MIGRATION,
    m0008_actions.MIGRATION,
    m0009_checkins.MIGRATION,
    m0010_privacy.MIGRATION,
    m0011_indexes.MIGRATION,
    m0012_languages.MIGRATION,
    m0013_meeting_revision.MIGRATION,
    m0014_fair_times.MIGRATION,
)

assert all(a.version < b.version for a, b in itertools.pairwise(MIGRATIONS))

__all__ = ["MIGRATIONS", "Migration"]
