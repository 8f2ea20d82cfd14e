"""The one place a reply becomes Matrix event content.

Always `m.notice`; HTML built only from escaped text; `m.mentions` on every
event; reply and thread relations; no reply fallbacks (spec v1.13).
"""

from __future__ import annotations

import base64
import html
from typing import Any

from commands.reply import Msg

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
    return rendered


def message_content(
    msg: Msg,
    *,
    in_reply_to: str | None = None,
    thread_root: str | None = None,
) -> dict[str, Any]:
    content: dict[str, Any] = {
        "msgtype": "m.notice",
        "body": msg.plain(),
        "format": "org.matrix.custom.html",
        "formatted_body": render_html(msg),
        "m.mentions": mentions(msg),
    }
    relates = relation(in_reply_to=in_reply_to if msg.is_reply else None, thread_root=thread_root)
    if relates:
        content["m.relates_to"] = relates
    return content


# The outbox stores an attachment under this pseudo event type; the sender uploads
# the file (encrypting it in encrypted rooms) and then sends the real m.file event.
FILE_EVENT = "minga.file"


def outgoing(msg: Msg, *, in_reply_to: str | None = None, thread_root: str | None = None
             ) -> tuple[str, dict[str, Any]]:
    """(event type, content) for the outbox."""
    content = message_content(msg, in_reply_to=in_reply_to, thread_root=thread_root)
    if msg.attachment is None:
        return "m.room.message", content
    content["msgtype"] = "m.file"
    content["body"] = msg.attachment.filename
    content.pop("format")
    content.pop("formatted_body")
    content["info"] = {"mimetype": msg.attachment.mimetype, "size": len(msg.attachment.data)}
    content[FILE_EVENT] = base64.b64encode(msg.attachment.data).decode()
    return FILE_EVENT, content


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
