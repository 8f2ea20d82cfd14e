"""Reading a member's message: strip reply fallbacks, find the command in it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote


@dataclass(frozen=True)
class CommandText:
    name: str
    args: str
    # True when written with the prefix; False when the bot was addressed by name, in
    # which case chat like "Minga is down?" must not be taken for an unknown command.
    prefixed: bool = True


def strip_reply_fallback(body: str) -> str:
    """Drop the quoted "> …" lines old clients prepend to replies."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith(">"):
        return body
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    if index < len(lines) and lines[index].strip() == "":
        index += 1
    return "\n".join(lines[index:])


def thread_root(content: dict[str, Any]) -> str | None:
    relates = content.get("m.relates_to")
    if isinstance(relates, dict) and relates.get("rel_type") == "m.thread":
        root = relates.get("event_id")
        return root if isinstance(root, str) else None
    return None


def bot_names(user_id: str, display_name: str | None) -> list[str]:
    localpart = user_id[1:].split(":", 1)[0]
    names = {user_id.lower(), localpart.lower(), "minga"}
    if display_name:
        names.add(display_name.lower())
    return sorted(names, key=len, reverse=True)


# Direction marks some clients and keyboards put around right-to-left text.
_BIDI_MARKS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_NO_MARKS = str.maketrans("", "", _BIDI_MARKS)


def parse_command(body: str, prefix: str, names: list[str]) -> CommandText | None:
    """`!name args`, `minga: name args` or a mention of the bot followed by `name args`.

    A command name is a word in any script (`!مساعدة`, `!réunion`); it starts with a letter.
    """
    text = strip_reply_fallback(body).strip().lstrip(_BIDI_MARKS)
    prefixed = text.startswith(prefix)
    if prefixed:
        rest = text[len(prefix):]
    else:
        lowered = text.lower()
        for name in names:
            if lowered.startswith(name) and re.match(r"[:,]?\s+\S", text[len(name):]):
                rest = re.sub(r"^[:,]?\s+", "", text[len(name):])
                if rest.startswith(prefix):
                    rest = rest[len(prefix):]
                break
        else:
            return None
    match = re.match(r"(\S+)\s*(.*)", rest.lstrip(_BIDI_MARKS), re.DOTALL)
    if not match:
        return None
    name = match.group(1).translate(_NO_MARKS)
    if not name[:1].isalpha():
        return None
    return CommandText(name.lower(), match.group(2).strip(), prefixed)


# A user id written out in the body: "@amina:example.org" (not inside a word or an e-mail
# address; a trailing full stop is the sentence's, not the server's).
USER_ID = re.compile(r"(?<![\w@/])@[a-z0-9._=\-/+]+:[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*"
                     r"(?::[0-9]{1,5})?")
# A pill's link: https://matrix.to/#/@user:server (percent-encoded or not, maybe with
# ?via=…) or the matrix: URI scheme, matrix:u/user:server.
_PILL_HREF = re.compile(r"^(?:https://matrix\.to/#/(?P<to>[^?/]+)|matrix:u/(?P<uri>[^?/]+))")


class _Pills(HTMLParser):
    """The user pills in a formatted body, outside any quoted reply (<mx-reply>)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}
        self._quoted = 0
        self._user: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "mx-reply":
            self._quoted += 1
        elif tag == "a" and not self._quoted:
            self._user = pill_user(dict(attrs).get("href") or "")
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "mx-reply":
            self._quoted = max(0, self._quoted - 1)
        elif tag == "a" and self._user is not None:
            self.found.setdefault(self._user, " ".join("".join(self._text).split()))
            self._user = None

    def handle_data(self, data: str) -> None:
        if self._user is not None:
            self._text.append(data)


def pill_user(href: str) -> str | None:
    """The user a pill links to, or None for links to rooms, events or anything else."""
    match = _PILL_HREF.match(href.strip())
    if match is None:
        return None
    target = unquote(match["to"] or "")
    if match["uri"]:
        target = "@" + unquote(match["uri"])
    return target if USER_ID.fullmatch(target) else None


def pills(content: dict[str, Any]) -> dict[str, str]:
    """{user id: the pill's text} from `formatted_body`: old clients and bridges send pills
    without m.mentions, and the text is what the plain body shows in their place."""
    formatted = content.get("formatted_body")
    if content.get("format") != "org.matrix.custom.html" or not isinstance(formatted, str):
        return {}
    parser = _Pills()
    try:
        parser.feed(formatted[:65_536])
        parser.close()
    except (AssertionError, ValueError):  # malformed markup: take what was read
        pass
    return parser.found


def mentioned_users(content: dict[str, Any], body: str, bot_user_id: str) -> tuple[str, ...]:
    """Who a message names, however it came: m.mentions (what current clients set for
    pills), pills in the formatted body (older clients, bridges) and user ids in the text."""
    found: list[str] = []
    declared = content.get("m.mentions")
    if isinstance(declared, dict) and isinstance(declared.get("user_ids"), list):
        found.extend(u for u in declared["user_ids"] if isinstance(u, str))
    found.extend(pills(content))
    found.extend(USER_ID.findall(strip_reply_fallback(body)))
    return tuple(u for u in dict.fromkeys(found) if u != bot_user_id)
