"""The one place a reply becomes Matrix event content.

Always `m.notice`; HTML built only from escaped text; `m.mentions` on every
event; reply and thread relations; no reply fallbacks (spec v1.13).
"""

from __future__ import annotations

import base64
import html
from typing import Any

from commands.reply import Msg
from domain.i18n import N_, gettext_in, is_rtl

MATRIX_TO = "https://matrix.to/#/"


def render_html(msg: Msg) -> str:
    out: list[str] = []
    for kind, value, target in msg.parts:
        text = html.escape(value, quote=True)
        if kind == "text":
            out.append(text)
        elif kind == "bold":
            out.append(f"<strong>{text}</strong>")
        elif kind == "italic":
            out.append(f"<em>{text}</em>")
        elif kind == "code":
            out.append(f"<code>{text}</code>")
        elif kind == "mention":
            href = html.escape(MATRIX_TO + target, quote=True)
            out.append(f'<a href="{href}">{text}</a>')
        elif kind == "newline":
            out.append("<br>")
    rendered = "".join(out)
    while rendered.endswith("<br>"):
        rendered = rendered[:-4]
    if is_rtl(msg.lang):
        # Arabic: clients lay the whole message out right to left, command spans included.
        return RTL_OPEN + rendered + "</div>"
    return rendered


RTL_OPEN = '<div dir="rtl">'
# Right-to-left mark: plain-text clients start an Arabic line from the right, even when its
# first character is a Latin command name or a digit. Each line is laid out on its own
# (Unicode bidi paragraphs end at a line break), so every line gets one.
RLM = "\u200f"


def plain_body(msg: Msg) -> str:
    body = msg.plain()
    if not is_rtl(msg.lang):
        return body
    return "\n".join(RLM + line for line in body.split("\n"))


def message_content(
    msg: Msg,
    *,
    in_reply_to: str | None = None,
    thread_root: str | None = None,
) -> dict[str, Any]:
    content: dict[str, Any] = {
        "msgtype": "m.notice",
        "body": plain_body(msg),
        "format": "org.matrix.custom.html",
        "formatted_body": render_html(msg),
        "m.mentions": mentions(msg),
    }
    if msg.replaces:
        # An edit: the new content, plus a "* " fallback for clients without edits.
        new_content = dict(content)
        content["body"] = "* " + content["body"]
        content["formatted_body"] = "* " + content["formatted_body"]
        content["m.new_content"] = new_content
        content["m.relates_to"] = {"rel_type": "m.replace", "event_id": msg.replaces}
        return content
    relates = relation(in_reply_to=in_reply_to if msg.is_reply else None,
                       thread_root=msg.thread_root or thread_root)
    if relates:
        content["m.relates_to"] = relates
    return content


# The outbox stores an attachment under this pseudo event type; the sender uploads
# the file (encrypting it in encrypted rooms) and then sends the real m.file event.
FILE_EVENT = "minga.file"


# Content keys (stripped before sending): the moment after which delivery is late, and the
# late note already in the message's language (the outbox no longer has the Msg).
LATE_AFTER_KEY = "minga.late_after"
LATE_NOTE_KEY = "minga.late_note"
LATE_NOTE = N_("Delivered late — the homeserver was unreachable when this was due.")


def late_marker(msg: Msg, late_after_iso: str) -> dict[str, str]:
    """The content keys that make `mark_late` say, in the message's language, that it is late."""
    return {LATE_AFTER_KEY: late_after_iso, LATE_NOTE_KEY: gettext_in(msg.lang, LATE_NOTE) + " "}


def mark_late(content: dict[str, Any], now_iso: str) -> dict[str, Any]:
    """Strip the late marker; if delivery is past it, say so at the top of the message."""
    content = dict(content)
    late_after = content.pop(LATE_AFTER_KEY, None)
    note = content.pop(LATE_NOTE_KEY, None) or LATE_NOTE + " "
    if late_after is None or now_iso <= late_after or "body" not in content:
        return content
    body = content["body"]
    lead = RLM if body.startswith(RLM) else ""
    content["body"] = lead + note + body.removeprefix(lead)
    if "formatted_body" in content:
        formatted = content["formatted_body"]
        opening = RTL_OPEN if formatted.startswith(RTL_OPEN) else ""
        content["formatted_body"] = (opening + f"<em>{html.escape(note)}</em>"
                                     + formatted.removeprefix(opening))
    return content


# Outbox rows for a member's direct chat carry this pseudo room id until the chat exists.
DIRECT_PREFIX = "direct:"


def destination(room_id: str, msg: Msg) -> str:
    return DIRECT_PREFIX + msg.direct_to if msg.direct_to else room_id


POLL_START = "org.matrix.msc3381.poll.start"
POLL_END = "org.matrix.msc3381.poll.end"
POLL_RESPONSES = ("org.matrix.msc3381.poll.response", "m.poll.response")


def outgoing(msg: Msg, *, in_reply_to: str | None = None, thread_root: str | None = None
             ) -> tuple[str, dict[str, Any]]:
    """(event type, content) for the outbox."""
    if msg.poll is not None:
        return POLL_START, poll_content(msg)
    if msg.poll_end is not None:
        return POLL_END, poll_end_content(msg)
    if msg.reaction is not None:
        relates = {"rel_type": "m.annotation", "event_id": msg.reaction.event_id,
                   "key": msg.reaction.key}
        return "m.reaction", {"m.relates_to": relates}
    content = message_content(msg, in_reply_to=in_reply_to, thread_root=thread_root)
    if msg.image is not None:
        return FILE_EVENT, image_content(msg, content)
    if msg.attachment is None:
        return "m.room.message", content
    content["msgtype"] = "m.file"
    content["body"] = msg.attachment.filename
    content.pop("format")
    content.pop("formatted_body")
    content["info"] = {"mimetype": msg.attachment.mimetype, "size": len(msg.attachment.data)}
    content[FILE_EVENT] = base64.b64encode(msg.attachment.data).decode()
    return FILE_EVENT, content


def image_content(msg: Msg, content: dict[str, Any]) -> dict[str, Any]:
    """An m.image: `body` is the alt text (the message's text); the sender uploads the data
    and adds `file` (encrypted rooms) or `url`. Element shows it inline only when the
    filename's extension matches `info.mimetype`."""
    assert msg.image is not None
    image = msg.image
    content["msgtype"] = "m.image"
    content.pop("format")
    content.pop("formatted_body")
    content["filename"] = image.filename
    content["info"] = {"mimetype": image.mimetype, "size": len(image.data),
                       "w": image.width, "h": image.height}
    content[FILE_EVENT] = base64.b64encode(image.data).decode()
    return content


def mentions(msg: Msg) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if msg.mentions:
        result["user_ids"] = list(msg.mentions)
    if msg.room_mention:
        result["room"] = True
    return result


def relation(*, in_reply_to: str | None, thread_root: str | None) -> dict[str, Any] | None:
    if thread_root:
        # In a thread: the thread relation, plus the reply we mean (not a fallback).
        rel: dict[str, Any] = {"rel_type": "m.thread", "event_id": thread_root}
        if in_reply_to:
            rel["m.in_reply_to"] = {"event_id": in_reply_to}
            rel["is_falling_back"] = False
        else:
            rel["is_falling_back"] = True
            rel["m.in_reply_to"] = {"event_id": thread_root}
        return rel
    if in_reply_to:
        return {"m.in_reply_to": {"event_id": in_reply_to}}
    return None


def poll_content(msg: Msg) -> dict[str, Any]:
    """MSC3381 unstable fields (what Element renders) plus the stable m.poll fields."""
    assert msg.poll is not None
    fallback = msg.plain()
    answers = [(str(i), text) for i, text in enumerate(msg.poll.answers, 1)]
    return {
        "org.matrix.msc3381.poll.start": {
            "question": {"org.matrix.msc1767.text": msg.poll.question,
                         "body": msg.poll.question},
            "kind": "org.matrix.msc3381.poll.disclosed",
            "max_selections": 1,
            "answers": [{"id": i, "org.matrix.msc1767.text": t} for i, t in answers],
        },
        "m.poll": {
            "question": {"m.text": [{"body": msg.poll.question}]},
            "kind": "m.disclosed",
            "max_selections": 1,
            "answers": [{"m.id": i, "m.text": [{"body": t}]} for i, t in answers],
        },
        "org.matrix.msc1767.text": fallback,
        "m.text": [{"body": fallback}],
        "body": fallback,
        "m.mentions": mentions(msg),
    }


def poll_end_content(msg: Msg) -> dict[str, Any]:
    assert msg.poll_end is not None
    text = msg.plain()
    return {
        "m.relates_to": {"rel_type": "m.reference", "event_id": msg.poll_end.poll_event_id},
        "org.matrix.msc3381.poll.end": {},
        "m.poll.end": {},
        "org.matrix.msc1767.text": text,
        "m.text": [{"body": text}],
        "body": text,
        "m.mentions": mentions(msg),
    }


def poll_answer(content: dict[str, Any]) -> tuple[str, str] | None:
    """(poll start event id, chosen answer id) from a poll response, unstable or stable."""
    relates = content.get("m.relates_to") or {}
    poll_id = relates.get("event_id") if relates.get("rel_type") == "m.reference" else None
    unstable = content.get("org.matrix.msc3381.poll.response") or {}
    chosen = unstable.get("answers") if isinstance(unstable, dict) else None
    if chosen is None:
        chosen = content.get("m.selections")
    if not isinstance(poll_id, str) or not isinstance(chosen, list) or not chosen:
        return None
    return (poll_id, str(chosen[0])) if isinstance(chosen[0], str | int) else None
