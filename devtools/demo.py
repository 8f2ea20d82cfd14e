"""`minga demo`: Minga's main job on a throw-away homeserver, printed as a transcript."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import signal
import tempfile
import textwrap
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from devtools.devserver import DevServer, DevServerError
from devtools.harness import Network
from devtools.member import Member, relates_to


@dataclass(frozen=True)
class Step:
    who: str  # "alice" or "bob"
    text: str  # what they type; empty when the step only waits for the bot
    note: str = ""
    wait_for: str = ""  # a notice the bot sends unprompted, by its first words


# Each capability adds its part of the conversation here.
SCRIPT: list[Step] = [
    Step("alice", "!help", "Everything Minga does, one line each."),
    Step("alice", "!tz set Nairobi", "Each member keeps their own time zone (only in Minga's DB)."),
    Step("bob", "!tz set bogota", "City names are matched loosely."),
    Step("bob", "!hours set 08:00-16:00 Mon-Fri", "Working hours, used to rank meeting times."),
    Step("alice", "!tz set Nairobbi", "Typos get a suggestion and a working example."),
    Step("alice", '!meeting add "Network call" next thu 14:00 every 2 weeks',
         "A fortnightly meeting, anchored to 14:00 in Nairobi whatever DST does elsewhere."),
    Step("bob", "!meetings 30d", "Each member sees every time in their own zone first."),
    Step("alice", "!meeting agenda m1 add Rotating the facilitation"),
    Step("alice", "!rota m1 roles facilitator notes",
         "A rota for the series: who facilitates, who takes notes."),
    Step("alice", "!rota m1 join"),
    Step("bob", "!rota m1 join", "Turns alternate fairly; newcomers start level, no backlog."),
    Step("bob", "!rota m1 skip", "Can't make it: the next in line steps up; Bob keeps his place."),
    Step("alice", '!meeting suggest 60m within 5 days "Budget review"',
         "Fair times: nobody's night first, distinct times of day, each naming who pays."),
    Step("bob", "!poll", "The tally and who has not voted; the poll stays open 12 hours."),
    Step("bob", "!fairness", "Who carries the early, late and night hours: past and planned."),
    Step("alice", "!action @bob Send the budget draft due fri",
         "An action item: Bob owns it; “fri” is the end of Friday where Bob lives."),
    Step("bob", "!actions mine", "Due dates in the owner's zone, overdue first."),
    Step("bob", "!done 1", "Closed, with credit — a ✅ on the confirmation does the same."),
    Step("bob", "!lang es", "Bob reads Spanish: everything addressed to him is in Spanish now."),
    Step("bob", "!accion Revisar el presupuesto due viernes",
         "Commands have aliases per language, and dates can be typed in any of the five."),
    Step("alice", "!checkin schedule mon,thu 10:00 local",
         "Check-ins at each member's own 10:00, skipping days off and absences."),
    Step("bob", "!checkin dm on", "Bob prefers to be asked in a direct message."),
    Step("alice", "!checkin now", "A check-in right away: a thread here, a DM for Bob."),
    Step("alice", "!digest now", "The weekly digest (Mondays 09:00 by default)."),
    Step("alice", "!meeting notify on", "Opt in to be mentioned in reminders."),
    Step("alice", '!meeting add "Quick sync" in 2 minutes'),
    Step("alice", "!meeting reminders m2 1m", "A reminder one minute before; it will arrive …"),
    Step("alice", "", "… a moment later, unprompted (waiting up to a minute):",
         wait_for="Reminder: Quick sync"),
]

Extra = Callable[[Network, dict[str, Member], str, Callable[[str], None]], Awaitable[None]]
EXTRAS: list[Extra] = []


def _print_turn(name: str, text: str) -> None:
    lines = text.splitlines() or [""]
    print(f"  {name:>7} │ {lines[0]}")
    for line in lines[1:]:
        for wrapped in textwrap.wrap(line, 92) or [""]:
            print(f"  {'':>7} │ {wrapped}")


async def run_demo(*, keep: bool = False, stop: asyncio.Event | None = None) -> int:
    """Play the script; with `keep`, say how to log in first and stay up until stopped."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("nio").setLevel(logging.ERROR)  # "Missing session" chatter is normal
    workdir = Path(tempfile.mkdtemp(prefix="minga-demo-"))
    try:
        server = DevServer(workdir / "synapse")
        print("Starting a throw-away Synapse on 127.0.0.1 …")
        server.start()
    except DevServerError as err:
        print(f"minga demo: {err}")
        shutil.rmtree(workdir, ignore_errors=True)
        return 1
    network = Network(server, workdir)
    try:
        config = network.bot_config("minga")
        await network.start_bot(config)
        alice = await network.member("alice")
        bob = await network.member("bob")
        room = await network.room(alice, [bob], config.matrix.user_id, name="Network coordination")
        members = {"alice": alice, "bob": bob}
        if keep:
            print_login(server, network, workdir)
        print(f"Encrypted room {room}: alice, bob and Minga ({config.matrix.user_id}).\n")
        for step in SCRIPT:
            await play(members[step.who], room, step, config.matrix.user_id)
        for extra in EXTRAS:
            await extra(network, members, room, lambda line: print(f"  {'':>7} │ {line}"))
        print("\nEvery message above was end-to-end encrypted and decrypted by the members' "
              "clients.")
        if keep:
            await keep_running(server, stop)
    finally:
        await network.close()
        server.stop()
        if keep:
            print(f"The demo's homeserver, bot and members' data stay in {workdir}; "
                  "delete the folder when done.")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def print_login(server: DevServer, network: Network, workdir: Path) -> None:
    """Before the script plays, so the operator can log in and watch it live."""
    print(f"\nHomeserver: {server.url}  (log in with Element: set the homeserver to this URL)")
    for user_id, password in network.passwords.items():
        if "minga" not in user_id:
            print(f"  {user_id}  password: {password}")
    print(f"Data folder: {workdir}\n")


async def play(member: Member, room: str, step: Step, bot_id: str) -> None:
    if step.note:
        print(f"\n  # {step.note}")
    if step.wait_for:
        notice = await member.wait_for(
            room, lambda e: getattr(e, "body", "").startswith(step.wait_for), timeout=90)
        _print_turn("Minga", notice.body)
        return
    name = member.user_id[1:].split("-", 1)[0]
    _print_turn(name, step.text)
    after = len(member.events)
    sent = await member.send(room, step.text)

    def answers(event: object) -> bool:
        """The reply to this command, or what it posts instead (a poll, a check-in thread) —
        never the second message of an earlier step."""
        if getattr(event, "sender", "") != bot_id or not hasattr(event, "body"):
            return False
        target = (relates_to(event).get("m.in_reply_to") or {}).get("event_id")
        return target in (None, sent)

    answer = await member.wait_for(room, answers, timeout=30, after=after)
    _print_turn("Minga", answer.body)


async def keep_running(server: DevServer, stop: asyncio.Event | None = None) -> None:
    print(f"\nStill running on {server.url}. Press Ctrl-C to stop.")
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
    await stop.wait()
