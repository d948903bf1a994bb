"""Control characters in what the admin API and the console receive.

PostgreSQL refuses NUL (0x00) in text, SQLite stores it, and no person means any C0 control
character in what they type. So, at the edge, before anything reaches the database:

- **free text** (a report's words, a contact, a place, a note, a display name) loses its C0
  control characters except tab and line feed; a carriage return becomes a line feed
  (`clean_text`). Nothing a person meant is lost;
- **identifiers and query parameters** (a ticket code in the path, `?grid=`, `external_id`, a
  user name, a person id…) that contain any control character are refused with 400 and one log
  line (`control_in`, `refusal`), never passed on to be looked up.

`bot.api.tickets.api_middleware` and `bot.console.core.session_middleware` check the path and
the query of every request; `bot.api.intake` cleans or refuses the JSON body's fields;
`form(request)` does the same for the console's forms.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from aiohttp import web
from multidict import MultiDict, MultiDictProxy

logger = logging.getLogger(__name__)

_FREE = re.compile("[\x00-\x08\x0b-\x1f]")  # C0 controls but \t (0x09) and \n (0x0a)
_ANY = re.compile("[\x00-\x1f\x7f]")

# console form fields that are a person's words; every other field is an identifier or a choice
FREE_FORM_FIELDS = frozenset({"text", "name"})
_FORM: Any = getattr(web, "RequestKey", None)
_FORM_KEY: Any = _FORM("gridbot_clean_form", object) if _FORM else "gridbot_clean_form"


def clean_text(value: str) -> str:
    """Free text without C0 control characters (tab and line feed kept, CR as a line feed)."""
    if not _ANY.search(value):
        return value
    return _FREE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def control_in(value: str) -> bool:
    return _ANY.search(value) is not None


def refusal(where: str) -> str:
    """The message a caller gets for an identifier or parameter with a control character."""
    return f"{where} contains a control character (such as NUL, \\u0000); remove it"


def bad_part(request: web.Request) -> str | None:
    """Which part of the request's path or query holds a control character, if any."""
    if control_in(request.path):
        return "the path"
    for name, value in request.query.items():
        if control_in(name):
            return "a query parameter's name"
        if control_in(value):
            return f"query parameter {name!r}"
    return None


def shown(value: str) -> str:
    """A value fit for a log line: control characters escaped, at most 80 characters."""
    return _ANY.sub(lambda m: f"\\x{ord(m.group()):02x}", value[:80])


async def form(request: web.Request) -> MultiDictProxy[Any]:
    """The request's form with free-text fields cleaned; a control character in any other
    field is refused with 400 (and one log line). Read once per request."""
    cached = request.get(_FORM_KEY)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    raw = await request.post()
    out: MultiDict[Any] = MultiDict()
    for key, value in raw.items():
        if control_in(key):
            _refuse(request, "a form field's name")
        if isinstance(value, str):
            if key in FREE_FORM_FIELDS:
                value = clean_text(value)
            elif control_in(value):
                _refuse(request, f"form field {key!r}")
        out.add(key, value)
    proxy = MultiDictProxy(out)
    request[_FORM_KEY] = proxy
    return proxy


def _refuse(request: web.Request, where: str) -> None:
    logger.warning("%s %s refused 400 from %s: %s", request.method, shown(request.path),
                   request.remote, refusal(where))
    raise web.HTTPBadRequest(text=refusal(where), content_type="text/plain")
