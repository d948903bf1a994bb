"""For bench/instructions.py only, loaded by the server under test as Python's
`sitecustomize` (the bench puts this folder on its PYTHONPATH): the loops that run by the clock
do nothing, so that what callgrind counts is the requests' own work. The outbox sender's and
the media store's rounds find nothing to do and the inbound recovery sweep claims nothing;
otherwise their rounds (a poll a second, and with the bench's unreachable API a token fetch
retried with back-off) scale with the wall time, which valgrind stretches fiftyfold and the
machine's load moves further. The scheduler is off through the bench's config."""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys


async def _nothing(self, *args, **kwargs) -> int:  # type: ignore[no-untyped-def]
    return 0


QUIET = {"bot.channels.sender": ("OutboxSender", "round"),
         "bot.channels.media_store": ("MediaStore", "round"),
         "bot.gateway.flow": ("Inbound", "sweep_once")}


class _Quieten(importlib.abc.MetaPathFinder):
    """Patch each of QUIET's classes as soon as its module is imported."""

    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        if name not in QUIET:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        loader = spec.loader
        exec_module = loader.exec_module

        def patched(module):  # type: ignore[no-untyped-def]
            exec_module(module)
            cls, attr = QUIET[name]
            setattr(getattr(module, cls), attr, _nothing)

        loader.exec_module = patched
        return spec


sys.meta_path.insert(0, _Quieten())
