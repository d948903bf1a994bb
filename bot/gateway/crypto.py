"""Callback security for the Official Account and WeCom: signatures, the timestamp window and
the AES envelope (wechatpy does the AES; we do the signature comparison, in constant time,
because wechatpy compares with `!=`).

Every failure is a `Rejected` carrying the HTTP status and a reason fit for the log: the
reason never quotes the body.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from wechatpy.crypto import PrpCrypto as MpPrp
from wechatpy.crypto import WeChatCrypto as MpCrypto
from wechatpy.enterprise.crypto import PrpCrypto as WorkPrp
from wechatpy.enterprise.crypto import WeChatCrypto as WorkCrypto

EPOCH = datetime(1970, 1, 1)


class Rejected(Exception):
    """A callback refused before it reaches the dispatcher (4xx)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def sha1_signature(*parts: str) -> str:
    """WeChat's signature: sha1 of the sorted parts, concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def check_signature(given: str | None, token: str, *parts: str, name: str = "signature") -> None:
    if not given:
        raise Rejected(403, f"missing {name}")
    expected = sha1_signature(token, *parts)
    if not hmac.compare_digest(expected.encode(), given.strip().lower().encode()):
        raise Rejected(403, f"bad {name}")


def check_timestamp(timestamp: str | None, now: datetime, window: int) -> None:
    """Refuse a callback signed too long ago (or in the future): a replay defence."""
    if not timestamp:
        raise Rejected(403, "missing timestamp")
    # digits only, and few: int() of a 400-digit string works, its difference with a float
    # does not (OverflowError), and that must not escape before the signature is checked
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise Rejected(403, "timestamp is not a Unix time")
    ts = int(timestamp)
    skew = ts - (now - EPOCH).total_seconds()
    if abs(skew) > window:
        raise Rejected(403, f"timestamp outside the window ({skew:+.0f} s, window {window} s)")


def epoch(now: datetime) -> int:
    """Naive UTC (the app clock) → Unix seconds."""
    return int((now - EPOCH).total_seconds())


class Envelope:
    """The AES envelope of one receiver: an Official Account (app_id) or a WeCom corp."""

    def __init__(self, token: str, encoding_aes_key: str, receiver_id: str, *,
                 work: bool) -> None:
        self.token = token
        self.receiver_id = receiver_id
        self._crypto = (WorkCrypto if work else MpCrypto)(token, encoding_aes_key, receiver_id)
        self._prp = (WorkPrp if work else MpPrp)(self._crypto.key)

    def open(self, msg_signature: str | None, timestamp: str, nonce: str,
             encrypt: str) -> str:
        """Verify msg_signature over the ciphertext, then decrypt it; the receiver id embedded
        in the plaintext must be ours."""
        check_signature(msg_signature, self.token, timestamp, nonce, encrypt,
                        name="msg_signature")
        try:
            plain = self._prp.decrypt(encrypt, self.receiver_id)
        except Exception as exc:
            raise Rejected(400, f"ciphertext does not decrypt ({type(exc).__name__})") from None
        if not isinstance(plain, str):
            raise Rejected(400, "ciphertext does not decrypt")
        return plain

    def seal(self, xml: str, nonce: str, timestamp: int) -> str:
        """The encrypted reply envelope (Encrypt, MsgSignature, TimeStamp, Nonce): wechatpy's
        encryption and its envelope, by this receiver's one cipher (wechatpy's
        `encrypt_message` made a new cipher and a signer per reply)."""
        encrypt = self._prp.encrypt(xml, self.receiver_id).decode("ascii")
        stamp = str(timestamp)
        return _SEALED.format(encrypt=encrypt, signature=sha1_signature(
            self.token, stamp, nonce, encrypt), timestamp=stamp, nonce=nonce)


# the envelope of a passive reply, as wechatpy's `encrypt_message` writes it
_SEALED = """<xml>
<Encrypt><![CDATA[{encrypt}]]></Encrypt>
<MsgSignature><![CDATA[{signature}]]></MsgSignature>
<TimeStamp>{timestamp}</TimeStamp>
<Nonce><![CDATA[{nonce}]]></Nonce>
</xml>"""
