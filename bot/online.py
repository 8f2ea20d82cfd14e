"""`minga check-config --online`: the homeserver and the credentials, checked now.

It never leaves a device behind: a saved login or an access token is checked with
`whoami`; a password is tried with a login whose device is logged out at once (that
device never had keys). Nothing is retried: the operator is watching.
"""

from __future__ import annotations

import re

from nio import LoginResponse

from bot.config import Config
from bot.homeserver import Unreachable, login_problem, software, transport_problem, versions
from bot.login import check_token, new_client, saved_session_for
from bot.session import SESSION_FILE
from bot.startup import StartupError
from bot.transport import TRANSPORT_ERRORS


def _newest(spec_versions: tuple[str, ...]) -> str:
    def key(v: str) -> tuple[int, int, int]:
        m = re.fullmatch(r"([rv])(\d+)\.(\d+)(?:\.(\d+))?", v)
        if not m:
            return (-1, 0, 0)
        return (1 if m[1] == "v" else 0, int(m[2]) * 1000 + int(m[3]), int(m[4] or 0))

    return max(spec_versions, key=key)


async def check_online(config: Config) -> list[str]:
    """Lines describing what works; StartupError names the first thing that does not."""
    cfg = config.matrix
    client = new_client(cfg, None)
    try:
        try:
            found = await versions(client)
        except Unreachable as problem:
            raise StartupError(f"{problem}: check matrix.homeserver, and that the homeserver "
                               "is running") from None
        lines = [f"{cfg.homeserver}: a Matrix homeserver ({await software(client)}; "
                 f"client API up to {_newest(found)})"]
        saved = saved_session_for(cfg, config.storage.store_dir)
        if saved:
            what = f"the saved login in {config.storage.store_dir / SESSION_FILE}"
            who = await check_token(client, saved.access_token, what, retry=False)
            lines.append(f"{what} works: {who.user_id}, device {who.device_id} "
                         "(no password needed to start)")
        elif cfg.access_token:
            who = await check_token(client, cfg.access_token, "matrix.access_token",
                                    retry=False)
            if who.user_id != cfg.user_id:
                raise StartupError(f"matrix.access_token belongs to {who.user_id}, not "
                                   f"matrix.user_id {cfg.user_id}")
            lines.append(f"matrix.access_token works: {who.user_id}, device {who.device_id}")
        else:
            resp = await client.login(password=cfg.password,
                                      device_name=f"{cfg.device_name} (config check)")
            if not isinstance(resp, LoginResponse):
                raise StartupError(login_problem(resp, cfg.user_id))
            await client.logout()
            lines.append(f"the password works for {resp.user_id} (the test login was logged "
                         "out again; `minga run` logs in once and saves the login)")
        return lines
    except TRANSPORT_ERRORS as err:
        raise StartupError(str(transport_problem(err, cfg.homeserver))) from None
    finally:
        await client.close()
