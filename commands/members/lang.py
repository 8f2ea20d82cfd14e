"""`!lang`: which language Minga speaks to a member, and to a room.

A member's own choice wins for everything addressed to them (replies, DMs); the room's
choice is for room-wide messages (reminders, digests, summaries) and for members who chose
none; the bot's `bot.language` is the last fallback.
"""

from __future__ import annotations

from commands.context import Context
from commands.errors import PermissionDenied, UserError
from commands.reply import Msg
from commands.router import Arg, CommandSet
from domain.i18n import LANGUAGES, N_, _, language_name, parse_language, use_language
from storage.languages import (
    member_and_room_language,
    set_member_language,
    set_room_language,
)

_BACK_TO_DEFAULT = frozenset({"default", "reset", "auto", "off"})


def _choices() -> str:
    return ", ".join(f"{code} ({name})" for code, name in LANGUAGES.items())


def _read(text: str, example: str) -> str | None:
    """A language code, or None for "follow the default"; a friendly error otherwise."""
    if text.strip().lower() in _BACK_TO_DEFAULT:
        return None
    lang = parse_language(text)
    if lang is None:
        raise UserError(
            _("I don't speak {language} yet. I can use: {choices}.").format(
                language=repr(text[:30]), choices=_choices()),
            example,
        )
    return lang


def _name(lang: str | None) -> str:
    return f"{language_name(lang)} ({lang})" if lang else _("not set")


cmds = CommandSet()


@cmds.command(
    "lang",
    summary=N_("Choose the language Minga uses with you (en, es, fr, pt, ar)."),
    usage=N_("!lang [<language>|default]"),
    examples=("!lang es", "!lang", "!lang room fr"),
    args=(Arg("language", optional=True, rest=True),),
)
async def lang(ctx: Context, language: str | None) -> None:
    own, room = await member_and_room_language(ctx.db, ctx.sender, ctx.room_id)
    if not language:
        msg = Msg()
        msg.line(_("Your language: {own}").format(own=_name(own)))
        msg.line(_("This room's language: {room}").format(room=_name(room)))
        msg.line(_("I speak: {choices}.").format(choices=_choices()))
        msg.text(_("Change yours with") + " ").code("!lang es").text(
            " " + _("or the room's with") + " ").code("!lang room fr")
        ctx.reply(msg)
        return
    chosen = _read(language, "!lang es")
    await set_member_language(ctx.db, ctx.sender, chosen, ctx.now.isoformat())
    with use_language(chosen or room or ctx.settings.language):
        if chosen:
            text = _("From now on I will answer you in {language}.").format(
                language=language_name(chosen))
        else:
            text = _("You follow the room's language again.")
        ctx.reply(Msg().text(text))


@lang.sub("room", summary=N_("Set the room's language, for reminders and digests "
                             "(moderators)."),
          usage=N_("!lang room <language>|default"), examples=("!lang room fr",),
          args=(Arg("language", rest=True),))
async def lang_room(ctx: Context, language: str) -> None:
    if not ctx.is_moderator():
        raise PermissionDenied(_("Only room moderators can change the room's language."))
    chosen = _read(language, "!lang room fr")
    await set_room_language(ctx.db, ctx.room_id, chosen)
    own, _room = await member_and_room_language(ctx.db, ctx.sender, ctx.room_id)
    with use_language(own or chosen or ctx.settings.language):
        if chosen:
            text = _("This room's reminders, digests and summaries are now in {language}. "
                     "Each member can still choose their own with !lang.").format(
                language=language_name(chosen))
        else:
            text = _("This room now uses the default language ({language}).").format(
                language=language_name(ctx.settings.language))
        ctx.reply(Msg().text(text))
