"""SQLite storage: the single source of truth for everything Minga has acknowledged.

All SQL lives in this package, one function per question (`rooms.room_default_zone`,
`outbox.enqueue`, `decryption.add_pending`…), one module per table or feature; `bot/` and
`commands/` call these functions and never hold SQL text. `storage` imports `domain` for
value types, never `commands` or `bot`.

Signatures, everywhere in this package:
- a function that only reads takes `db: Database` first;
- a function that writes takes `conn: aiosqlite.Connection` first: the connection of the
  caller's open transaction (`async with db.transaction() as conn`, or `ctx.db.conn` /
  `env.db.conn` in a command or a job, which always run inside one). It never commits and
  never opens a transaction itself; what it also needs to read, it reads through `conn`
  (`storage.db.fetchone` / `fetchall`), so the read sees its own writes.
- The exceptions manage transactions themselves and take `db`: `db.migrate` (one
  transaction per migration) and `privacy.preview` (runs `forget_member` in
  `db.transaction()`, a savepoint of the caller's, and undoes it).
"""

from storage.db import Database, DatabaseDamaged, DatabaseTooNew, check_existing, open_database

__all__ = ["Database", "DatabaseDamaged", "DatabaseTooNew", "check_existing", "open_database"]
