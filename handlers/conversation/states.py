"""The conversation states a person can be in, declared once.

A state is stored per identity (storage.repos.conversations) with its data and an expiry; the
routers match on it with `State(...)`. The values are what the database holds, so they never
change. This module imports nothing of gridbot: the jobs that settle or keep states read it too.
"""

from __future__ import annotations

from enum import StrEnum


class Conv(StrEnum):
    AWAITING_LOCATION = "awaiting_location"  # a report waits for its place («在哪里？»)
    AWAITING_DESCRIPTION = "awaiting_description"  # a photo or voice waits for its words
    AWAITING_DUPLICATE = "awaiting_duplicate"  # 附议 or a new ticket? (1/2)
    AWAITING_CATEGORY = "awaiting_category"  # two categories compete (1/2, 0 = best guess)
    AWAITING_PIECE = "awaiting_piece"  # a piece of the last report or a new one? (1/2)
    AWAITING_RATING = "awaiting_rating"  # a resolved ticket waits for 1–4
    ANSWERING = "answering"  # the officer asked (追问): the next text is the answer
    AWAITING_PLACE = "awaiting_place"  # an urgent ticket filed without a place waits for it
    CHOOSING = "choosing"  # staff: a numbered choice (which ticket, which person)


# a report not yet filed: the draft-expiry job files these as tickets when nobody answers
DRAFTS = frozenset({Conv.AWAITING_LOCATION, Conv.AWAITING_DESCRIPTION, Conv.AWAITING_DUPLICATE,
                    Conv.AWAITING_CATEGORY, Conv.AWAITING_PIECE})
