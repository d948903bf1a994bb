"""Routers and filters in the aiogram manner: a filter returns False/None to skip, True to
match, or a dict whose items become the handler's keyword arguments."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from handlers.conversation.text import command, normalize, parse_rating
from nlp.normalize import has_traditional, to_simplified

if TYPE_CHECKING:
    from handlers.conversation.context import Ctx

Filter = Callable[["Ctx"], Any]
Handler = Callable[..., Awaitable[str | None]]


class NotHandled(Exception):
    """Raised by a handler that matched but wants the next router to try."""


class Router:
    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: list[tuple[tuple[Filter, ...], Handler]] = []

    def on(self, *filters: Filter) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            self._handlers.append((filters, fn))
            return fn

        return register

    async def dispatch(self, ctx: Ctx) -> tuple[bool, str | None]:
        """(handled, reply) from the first handler whose filters all pass."""
        for filters, fn in self._handlers:
            kwargs: dict[str, Any] = {}
            for f in filters:
                result = f(ctx)
                if isinstance(result, Awaitable):
                    result = await result
                if not result:
                    break
                if isinstance(result, dict):
                    kwargs.update(result)
            else:
                try:
                    return True, await fn(ctx, **kwargs)
                except NotHandled:
                    continue
        return False, None


def Command(*words: str) -> Filter:
    # a message is offered to a dozen of these: most are turned away by one C call on the
    # text the dispatcher normalised already (ctx.text), before `command` reads it again
    starts = tuple(words)

    def f(ctx: Ctx) -> dict[str, str] | None:
        if ctx.update.type != "text":
            return None
        if not ctx.text.startswith(starts):
            # 查詢/評價/轉辦: the same words in Traditional characters (`command` reads the
            # text in Simplified); most texts have none and stop at the first check
            head = ctx.text[:8]
            if not has_traditional(head) or not to_simplified(head).startswith(starts):
                return None
        args = command(ctx.text, *words)
        return None if args is None else {"args": args}

    return f


def Event(*names: str) -> Filter:
    wanted = {n.lower() for n in names}
    return lambda ctx: ctx.update.type == "event" and (ctx.update.event or "").lower() in wanted


def Click(key: str) -> Filter:
    return lambda ctx: (ctx.update.type == "event" and (ctx.update.event or "").upper() == "CLICK"
                        and ctx.update.event_key == key)


def MsgType(*types: str) -> Filter:
    return lambda ctx: ctx.update.type in types


def State(*names: str) -> Filter:
    def f(ctx: Ctx) -> dict[str, Any] | None:
        st = ctx.state
        if st is None or st.state not in names:
            return None
        return {"state_data": dict(st.data or {})}

    return f


def Rating() -> Filter:
    def f(ctx: Ctx) -> dict[str, int] | None:
        if ctx.update.type != "text":
            return None
        r = parse_rating(ctx.text)
        return None if r is None else {"rating": r}

    return f


def Text() -> Filter:
    return lambda ctx: ctx.update.type == "text" and bool(normalize(ctx.text))
