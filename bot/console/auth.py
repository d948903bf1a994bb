"""Who is at the console: passwords, the session cookie, CSRF, sign-in limits, client address.

- Passwords are argon2id hashes (argon2-cffi); a hash made with older parameters is redone at
  the next sign-in.
- The cookie holds a random token and its HMAC under `[console] secret`; the database keeps only
  the token's SHA-256, so a leaked table signs nobody in. A new token is issued at every sign-in
  (no session fixation) and the rows of a user are deleted when they are disabled or their
  password changes, so an old cookie stops working at once.
- A session unused for `idle_minutes` or older than `session_hours` is over.
- Every POST carries the session's CSRF token (form field `csrf` or header `X-CSRF-Token`); the
  sign-in form, before there is a session, uses a double-submit cookie.
- Failed sign-ins are limited per user name and per client address in a sliding window (in
  memory, per worker: with N workers an attacker gets N times the budget, still a few dozen).
- The client address and scheme come from X-Forwarded-For/-Proto only when the peer is one of
  `trusted_proxies`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiohttp import web
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from storage.config import ConsoleConfig

logger = logging.getLogger(__name__)

COOKIE = "gridbot_console"
LOGIN_CSRF_COOKIE = "gridbot_login_csrf"
ROLES = ("admin", "centre", "street", "community")
ROLE_NAMES = {"admin": "管理员", "centre": "指挥中心", "street": "街道", "community": "社区"}
TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most this often

_hasher = PasswordHasher()
# verifying against this keeps an unknown user name as slow as a wrong password
_DUMMY_HASH = _hasher.hash(secrets.token_hex(8))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def check_password_rules(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < 8:
        return "密码至少 8 位。"
    if password.strip() != password or not password.strip():
        return "密码首尾不能有空格。"
    return None


class Signer:
    def __init__(self, secret: str) -> None:
        if not secret:
            logger.warning("[console] secret is empty: a random key is used, sign-ins end at "
                           "restart and do not carry across workers")
            secret = secrets.token_hex(32)
        self._key = hashlib.sha256(("gridbot-console:" + secret).encode()).digest()

    def _mac(self, token: str) -> str:
        return hmac.new(self._key, token.encode(), hashlib.sha256).hexdigest()[:40]

    def sign(self, token: str) -> str:
        return f"{token}.{self._mac(token)}"

    def unsign(self, value: str | None) -> str | None:
        if not value or "." not in value:
            return None
        token, mac = value.rsplit(".", 1)
        return token if hmac.compare_digest(mac, self._mac(token)) else None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class LoginLimiter:
    per_user: int
    per_address: int
    window: timedelta
    _fails: dict[str, deque[datetime]] = field(default_factory=dict)

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        q = self._fails.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def blocked(self, username: str, address: str, now: datetime) -> bool:
        return (len(self._recent("u:" + username.lower(), now)) >= self.per_user
                or len(self._recent("a:" + address, now)) >= self.per_address)

    def failed(self, username: str, address: str, now: datetime) -> None:
        self._recent("u:" + username.lower(), now).append(now)
        self._recent("a:" + address, now).append(now)
        if len(self._fails) > 10_000:  # forget keys gone quiet
            for key in [k for k, q in self._fails.items() if not q]:
                del self._fails[key]

    def succeeded(self, username: str) -> None:
        self._fails.pop("u:" + username.lower(), None)


class Proxies:
    def __init__(self, trusted: list[str]) -> None:
        self.nets = [ipaddress.ip_network(t, strict=False) for t in trusted]

    def trusted(self, address: str | None) -> bool:
        if not address or not self.nets:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.nets)

    def client(self, request: web.Request) -> str:
        """The first address, from the right, that is not a trusted proxy."""
        peer = request.remote or ""
        if not self.trusted(peer):
            return peer
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",")
                if h.strip()]
        for hop in reversed(hops):
            if not self.trusted(hop):
                return hop
        return hops[0] if hops else peer

    def https(self, request: web.Request) -> bool:
        if request.secure:
            return True
        return (self.trusted(request.remote)
                and request.headers.get("X-Forwarded-Proto", "").lower() == "https")


@dataclass
class ConsoleState:
    """What the console keeps for the app's life (one per app, in CONSOLE)."""

    config: ConsoleConfig
    signer: Signer
    limiter: LoginLimiter
    proxies: Proxies

    @classmethod
    def from_config(cls, config: ConsoleConfig) -> ConsoleState:
        return cls(config, Signer(config.secret),
                   LoginLimiter(config.login_failures_per_user,
                                config.login_failures_per_address,
                                timedelta(minutes=config.login_window_minutes)),
                   Proxies(config.trusted_proxies))

    def secure(self, request: web.Request) -> bool:
        mode = self.config.secure_cookie
        return mode == "always" or (mode == "auto" and self.proxies.https(request))

    def set_cookie(self, request: web.Request, response: web.StreamResponse, name: str,
                   value: str, *, max_age: int | None = None) -> None:
        response.set_cookie(name, value, path="/console", httponly=True, samesite="Lax",
                            secure=self.secure(request), max_age=max_age)

    def expired(self, created: datetime, last_seen: datetime, now: datetime) -> bool:
        return (now - last_seen > timedelta(minutes=self.config.idle_minutes)
                or now - created > timedelta(hours=self.config.session_hours))


def csrf_ok(expected: str | None, given: str | None) -> bool:
    return bool(expected and given and hmac.compare_digest(expected, given))
