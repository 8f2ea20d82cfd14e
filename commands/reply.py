"""What a handler says, independent of Matrix: text runs, emphasis and mentions.

The bot layer renders a `Msg` into a plain `body` and an escaped HTML
`formatted_body`; handlers never build HTML themselves, so user text can
never inject markup, and `m.mentions` holds exactly the people named with
`mention()`, plus those added with `notify()` (a big room's reminder names a few and
notifies everyone it is for).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from string import Formatter
from typing import Literal

from domain.digest import ENVELOPE, MESSAGE_BUDGET, pack, parts_size
from domain.i18n import _, current_language

Kind = Literal["text", "bold", "italic", "code", "mention", "newline"]


@dataclass(frozen=True)
class Attachment:
    """A file to upload with the message (encrypted in encrypted rooms)."""

    filename: str
    mimetype: str
    data: bytes


@dataclass(frozen=True)
class Image:
    """A picture posted as m.image (encrypted in encrypted rooms); the message's text is its
    alt text, for screen readers and clients that hide images. The filename travels in the
    clear in the upload URL, so it says nothing about the room."""

    data: bytes
    width: int
    height: int
    mimetype: str = "image/png"
    filename: str = "chart.png"


@dataclass(frozen=True)
class PollSpec:
    """A Matrix poll (MSC3381); the message's text is its fallback for other clients."""

    question: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class PollEnd:
    """Ends the poll whose start event is `poll_event_id`; the text says the outcome."""

    poll_event_id: str


@dataclass(frozen=True)
class Reaction:
    """An annotation (e.g. ✅) on an event; encrypted like everything else in the room."""

    event_id: str
    key: str


@dataclass
class Msg:
    parts: list[tuple[Kind, str, str]] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    room_mention: bool = False
    # Room-wide messages go to the room; a reply relates to the command event.
    is_reply: bool = True
    attachment: Attachment | None = None
    image: Image | None = None
    poll: PollSpec | None = None
    poll_end: PollEnd | None = None
    reaction: Reaction | None = None
    # Send to this member's direct chat with the bot (opened on first use) instead.
    direct_to: str | None = None
    # Post inside this thread (the root's event id), e.g. a check-in summary.
    thread_root: str | None = None
    # Replace (edit) this earlier message of ours instead of sending a new one.
    replaces: str | None = None
    # A stable identity for the outbox when the message must be found again (a poll).
    key: str | None = None
    # The language the message was written in (the one active when it was made): the
    # renderer sets the text direction from it and adds its own words in it.
    lang: str = field(default_factory=current_language)

    def text(self, value: str) -> Msg:
        self.parts.append(("text", value, ""))
        return self

    def bold(self, value: str) -> Msg:
        self.parts.append(("bold", value, ""))
        return self

    def italic(self, value: str) -> Msg:
        self.parts.append(("italic", value, ""))
        return self

    def code(self, value: str) -> Msg:
        self.parts.append(("code", value, ""))
        return self

    def mention(self, user_id: str, label: str | None = None, *, notify: bool = True) -> Msg:
        """A pill for `user_id`; `notify` adds them to m.mentions.

        A forgotten member's pseudonym ("former member 2", never starting with "@") is
        plain text (its label, translated): no link to a non-existent account, no notification.
        """
        if not user_id.startswith("@"):
            return self.text(label or user_id)
        self.parts.append(("mention", label or user_id, user_id))
        if notify and user_id not in self.mentions:
            self.mentions.append(user_id)
        return self

    def notify(self, user_id: str) -> Msg:
        """Add `user_id` to m.mentions without a pill: for the people a message is for past
        the ones it names, so a reminder for 500 members stays short and still reaches all."""
        if user_id.startswith("@") and user_id not in self.mentions:
            self.mentions.append(user_id)
        return self

    def line(self, value: str = "") -> Msg:
        """Text followed by a line break."""
        if value:
            self.text(value)
        self.parts.append(("newline", "", ""))
        return self

    def plain(self) -> str:
        out: list[str] = []
        for kind, value, _target in self.parts:
            if kind == "newline":
                out.append("\n")
            elif kind == "code":
                out.append(f"`{value}`")
            else:
                out.append(value)
        return "".join(out).rstrip("\n")


def say(text: str) -> Msg:
    """A one-line reply; newlines in `text` become line breaks."""
    msg = Msg()
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line:
            msg.text(line)
        if i < len(lines) - 1:
            msg.line()
    return msg


def react(event_id: str, key: str = "✅") -> Msg:
    return Msg(is_reply=False, reaction=Reaction(event_id, key))


# A `fill` field that writes itself into the message (bold text, a code span, a mention).
Span = Callable[[Msg], object]


def bolded(value: str) -> Span:
    """A `fill` field written in bold."""
    return lambda msg: msg.bold(value)


def coded(value: str) -> Span:
    """A `fill` field written as a code span (a command to type)."""
    return lambda msg: msg.code(value)


def fill(msg: Msg, template: str, **fields: object) -> Msg:
    """Append a translated sentence whose placeholders may be spans, so it stays one msgid.

    A field given as a `Span` (`bolded(title)`, `coded("!meetings")`, or any function of the
    Msg, e.g. one adding a mention) writes itself where the translation puts it; any other
    value is formatted as text, as `str.format` would.
    """
    formatter = Formatter()
    pending: list[str] = []
    for literal, name, spec, conversion in formatter.parse(template):
        pending.append(literal)
        if name is None:
            continue
        value = fields[name]
        if callable(value):
            if "".join(pending):
                msg.text("".join(pending))
            pending = []
            value(msg)
        else:
            converted = formatter.convert_field(value, conversion) if conversion else value
            pending.append(format(converted, spec or ""))
    if "".join(pending):
        msg.text("".join(pending))
    return msg


def with_prefix(msg: Msg, prefix: str) -> None:
    """Handlers write examples as `!command` in code spans; show the room's real prefix."""
    if prefix == "!":
        return
    msg.parts = [
        (kind, prefix + value[1:] if kind == "code" and value.startswith("!") else value, extra)
        for kind, value, extra in msg.parts
    ]


def assemble(blocks: Sequence[Msg], *, is_reply: bool = True,
             chars: int | None = None) -> list[Msg]:
    """Whole blocks packed into as few messages as fit the event size limit and, with
    `chars`, that many characters of text (what a reader scrolls through, whatever the
    script); each part after the first says which part it is, so each reads on its own."""
    if chars is None:
        groups = pack(blocks, lambda block: parts_size(block.parts), overhead=ENVELOPE + 200)
    else:
        room = MESSAGE_BUDGET - ENVELOPE - 200

        def share(block: Msg) -> int:  # of a message, in millionths: the tighter limit
            return math.ceil(max(parts_size(block.parts) / room,
                                 len(block.plain()) / chars) * _WHOLE)

        groups = pack(blocks, share, _WHOLE, overhead=0)
    out: list[Msg] = []
    for index, group in enumerate(groups):
        msg = Msg(is_reply=is_reply)
        if index:
            msg.italic(_("(continued, part {part} of {count})").format(
                part=index + 1, count=len(groups))).line()
        for block in group:
            msg.parts.extend(block.parts)
            msg.mentions.extend(u for u in block.mentions if u not in msg.mentions)
        out.append(msg)
    return out


_WHOLE = 1_000_000
# Characters of text per part of a long listing (`!meetings`, the digest): a small room's
# whole listing, a few screens on a phone; Arabic (six bytes a letter once escaped for the
# wire) may need a part more to stay under the size limit.
READABLE_CHARS = 8_000
