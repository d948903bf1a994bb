"""Downloads photos, voice and video kept as evidence into `media_dir` before WeChat forgets them.

WeChat media ids expire after 3 days, so an Attachment is fetched with `media/get` as soon as it
is committed and retried with backoff until it is stored, the id is known to be invalid, the
attempts run out or the id expired. Attachments are a `storage.queue.LeasedQueue` (as the outbox
is): due rows stay `pending` and get a lease (`next_attempt_at` moves past the download), so two
workers never fetch one file, and a worker that dies mid-download leaves a row that is claimed
again once the lease runs out. The download and the file write happen outside any unit; the
outcome is written only if the row is still as claimed.

The same loop deletes the files of erased attachments (a resident's unsubscribe marks them).
Files are named by attachment id, never by openid: `<YYYYMM>/<id>-<kind>-<attempt><ext>`.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels import SendResult
from bot.channels.loop import PollLoop
from handlers.ops.privacy import ERASE, ERASED
from storage.clock import Clock
from storage.config import MediaConfig
from storage.db import Database
from storage.models import Attachment
from storage.queue import Backoff, LeasedQueue

logger = logging.getLogger(__name__)

MEDIA_TTL = timedelta(days=3)
INVALID_MEDIA = frozenset({40007})  # invalid media_id: no retry can help
_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "audio/amr": ".amr",
          "audio/speex": ".speex", "audio/mpeg": ".mp3", "video/mp4": ".mp4"}
_MAGIC = ((b"\xff\xd8\xff", ".jpg"), (b"\x89PNG", ".png"), (b"GIF8", ".gif"),
          (b"#!AMR", ".amr"), (b"ID3", ".mp3"))
_DEFAULT = {"image": ".jpg", "voice": ".amr", "video": ".mp4"}
QUEUE = LeasedQueue(Attachment, due_states=("pending",))


class MediaClient(Protocol):
    """`bot.channels.mp.MpClient` and `bot.channels.work.WorkClient` are both one."""

    async def media_get(self, media_id: str) -> SendResult: ...


@dataclass(frozen=True)
class Claimed:
    id: int
    channel: str
    kind: str
    media_id: str
    created_at: datetime
    attempts: int  # as claimed: the outcome is written only if nobody reclaimed it since


def extension(kind: str, content_type: str | None, body: bytes) -> str:
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype in _TYPES:
        return _TYPES[ctype]
    for magic, ext in _MAGIC:
        if body.startswith(magic):
            return ext
    if body[4:8] == b"ftyp":
        return ".mp4"
    return mimetypes.guess_extension(ctype) or _DEFAULT.get(kind, ".bin")


class MediaStore(PollLoop):
    name = "media download round"
    kind = "media"

    def __init__(self, config: MediaConfig, root: str | Path, db: Database, clock: Clock,
                 clients: dict[str, MediaClient]) -> None:
        super().__init__(batch=config.batch, poll_seconds=config.poll_seconds)
        self.config, self.root = config, Path(root)
        self.db, self.clock, self.clients = db, clock, clients
        self.lease, self.backoff = (timedelta(seconds=config.lease_seconds),
                                    Backoff(config.backoff_seconds))

    async def run_once(self) -> int:
        """Claim due downloads, fetch and store them, delete erased files; rows settled."""
        claimed = await self.db.run(self._claim)
        for item in claimed:
            await self._download(item)
        return len(claimed) + await self._purge()

    round = run_once

    async def _claim(self, session: AsyncSession) -> list[Claimed]:
        now = self.clock.now()
        out = []
        for row in await QUEUE.due(session, now, self.config.batch):
            if now - row.created_at >= MEDIA_TTL:
                row.state, row.last_error = "failed", "media id expired before it was fetched"
                logger.warning("attachment %s: media id expired before download", row.id)
                continue
            row.attempts += 1
            QUEUE.lease(row, now, self.lease)
            out.append(Claimed(row.id, row.channel, row.kind, row.media_id, row.created_at,
                               row.attempts))
        return out

    async def _download(self, item: Claimed) -> None:
        client = self.clients.get(item.channel)
        path: Path | None = None
        if client is None:
            result = SendResult(ok=False, errcode=-1, errmsg=f"no client for {item.channel}")
        else:
            result = await client.media_get(item.media_id)
        if result.ok and result.content:
            # the attempt in the name: a slow worker whose lease ran out never overwrites (or,
            # cleaning up, deletes) the file of the worker that reclaimed the row
            name = (f"{item.created_at:%Y%m}/{item.id}-{item.kind}-{item.attempts}"
                    f"{extension(item.kind, result.content_type, result.content)}")
            path = self.root / name
            try:
                await asyncio.to_thread(_write, path, result.content)
            except OSError as exc:
                result, path = SendResult(ok=False, errcode=-1, errmsg=f"write: {exc}"), None
        elif result.ok:
            result = SendResult(ok=False, errcode=-1, errmsg="the answer held no file")
        keep = await self._record(item, result, path)
        if path is not None and not keep:  # erased (or reclaimed) while downloading
            await asyncio.to_thread(_unlink, path)

    async def _record(self, item: Claimed, result: SendResult, path: Path | None) -> bool:
        """Settle the claim; True when the file is now the attachment's."""
        now = self.clock.now()
        delay = self.backoff.delay(item.attempts)
        if path is not None:
            values = {"state": "downloaded", "last_error": None,
                      "path": str(path.relative_to(self.root))}
        elif (result.errcode in INVALID_MEDIA or item.attempts >= self.config.max_attempts
                or now + delay - item.created_at >= MEDIA_TTL):
            values = {"state": "failed", "last_error": result.error}
        else:
            values = {"next_attempt_at": now + delay, "last_error": result.error}
        if not await self.db.run(lambda s: QUEUE.settle(s, item.id, state="pending",
                                                         attempts=item.attempts, values=values)):
            return False
        if path is not None:
            logger.info("attachment %s stored as %s", item.id, values["path"])
        elif values.get("state") == "failed":
            logger.warning("attachment %s: download failed for good after %d attempts: %s",
                           item.id, item.attempts, result.error)
        else:
            logger.info("attachment %s: download failed (%s), retry in %s", item.id,
                        result.error, delay)
        return path is not None

    async def _purge(self) -> int:
        async def due(session: AsyncSession) -> list[tuple[int, str | None]]:
            rows = (await session.scalars(select(Attachment).where(
                Attachment.state == ERASE).limit(self.config.batch))).all()
            return [(r.id, r.path) for r in rows]

        rows = await self.db.read(due)
        for _, rel in rows:
            if rel:
                await asyncio.to_thread(_unlink, self.root / rel)

        async def done(session: AsyncSession) -> None:
            for aid, _ in rows:
                row = await session.get(Attachment, aid)
                if row is not None and row.state == ERASE:
                    row.state, row.path = ERASED, None

        if rows:
            await self.db.run(done)
            logger.info("deleted %d erased media files", len(rows))
        return len(rows)


def _write(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(body)
    os.replace(tmp, path)  # a reader never sees half a file


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)
