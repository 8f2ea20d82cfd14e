"""A per-member rate: one member flooding a room can't take the bot from everyone else.

Each (room, sender) has a token bucket: a burst of `burst` messages, then `per_second`.
Every message a member sends counts, judged once per event id. The judgement is made
where it is cheapest: for an encrypted event, before nio decrypts it (the sender is in
clear in the envelope; see `MingaClient._handle_timeline_event`), so an event over the rate
costs neither a decryption nor a database write of its own. Over the rate, an event is
skipped, except once a minute per member and room: that one is decrypted so that, if it is
a command, the member is told to slow down instead of getting silence.

Time is the events' own (`origin_server_ts`, set by the member's homeserver), not the
moment the bot reads them: commands a member sent at a human pace while the bot was down
arrive together on its return and are all answered, while a flood is a flood however it
arrives. In memory only: after a restart every member starts with a full bucket.
"""

from __future__ import annotations

import enum
from collections import OrderedDict
from dataclasses import dataclass

# A member may send this many messages at once, then one a second (60 a minute): far more
# than anyone types, far less than a script.
BURST = 10
PER_MINUTE = 60
PER_SECOND = PER_MINUTE / 60
# At most one "slow down" notice per member and room in this many seconds.
NOTICE_EVERY = 60.0
# Verdicts remembered per event id, so the decryption hook and the handler (and an event
# decrypted later, when its key arrives) see the same one and charge it once.
REMEMBERED = 4096
# Buckets that are full again are forgotten once there are this many.
PRUNE_ABOVE = 1024


class Verdict(enum.Enum):
    ANSWER = "answer"  # within the rate: handle as usual
    SKIP = "skip"  # over the rate: not decrypted, not answered
    NOTICE = "notice"  # over the rate, and the member has not been told this minute


@dataclass
class _Bucket:
    tokens: float
    at: float
    noticed_at: float | None = None


class MemberRate:
    def __init__(self, *, burst: int = BURST, per_second: float = PER_SECOND,
                 notice_every: float = NOTICE_EVERY) -> None:
        self.burst = burst
        self.per_second = per_second
        self.notice_every = notice_every
        self._latest = 0.0
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._verdicts: OrderedDict[str, Verdict] = OrderedDict()

    def judge(self, room_id: str, sender: str, event_id: str, server_ts: int) -> Verdict:
        """The verdict on one event sent at `server_ts` (ms); the same event is judged (and
        charged) once."""
        known = self._verdicts.get(event_id)
        if known is not None:
            return known
        verdict = self._take(room_id, sender, server_ts / 1000)
        self._verdicts[event_id] = verdict
        if len(self._verdicts) > REMEMBERED:
            self._verdicts.popitem(last=False)
        return verdict

    def verdict(self, event_id: str) -> Verdict | None:
        """What `judge` said about this event, if it was judged."""
        return self._verdicts.get(event_id)

    def notice_unused(self, room_id: str, sender: str, event_id: str) -> None:
        """The event offered for a notice was no command: the next one over the rate is."""
        bucket = self._buckets.get((room_id, sender))
        if bucket is not None:
            bucket.noticed_at = None
        self._verdicts[event_id] = Verdict.SKIP

    def _take(self, room_id: str, sender: str, at: float) -> Verdict:
        self._latest = max(self._latest, at)
        key = (room_id, sender)
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= PRUNE_ABOVE:
                self._prune(self._latest)
            bucket = self._buckets[key] = _Bucket(float(self.burst), at)
        now = max(at, bucket.at)  # an event stamped earlier than the last one refills nothing
        bucket.tokens = min(float(self.burst),
                            bucket.tokens + (now - bucket.at) * self.per_second)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return Verdict.ANSWER
        if bucket.noticed_at is None or now - bucket.noticed_at >= self.notice_every:
            bucket.noticed_at = now
            return Verdict.NOTICE
        return Verdict.SKIP

    def _prune(self, now: float) -> None:
        for key, bucket in list(self._buckets.items()):
            full = bucket.tokens + (now - bucket.at) * self.per_second >= self.burst
            quiet = bucket.noticed_at is None or now - bucket.noticed_at >= self.notice_every
            if full and quiet:
                del self._buckets[key]
