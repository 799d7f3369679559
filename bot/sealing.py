"""Sealed reply tokens: who wrote an anonymous comment, readable only with PULSE_REPLY_KEY.

A token is AES-GCM over the writer's workspace and user id, padded to one length, with a
fresh random nonce: two tokens of the same person look unrelated, and without the key a
token says nothing about who wrote the comment. The comment's team, week and topic are
bound in as associated data, so a token moved onto another comment does not open.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "v1"
NONCE_BYTES = 12
# Slack ids are at most a few dozen characters: every plaintext is padded to this, so the
# token's length tells nothing about whose it is.
PADDED_BYTES = 96
KEY_MIN_LENGTH = 32


class TokenUnreadable(Exception):
    """The token was sealed with another key, altered, or is not a token at all."""


@dataclass(frozen=True)
class Writer:
    team_id: str
    user_id: str


def _derive(secret: str, purpose: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose).derive(
        secret.encode()
    )


def _context(team_id: str, week: str, topic: str) -> bytes:
    return f"{team_id}\n{week}\n{topic}".encode()


class ReplySealer:
    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(_derive(secret, b"pulsedesk weekly reply token", 32))
        # Names the key a token was sealed with, so a rotated key is noticed without trying
        # to open anything; the same for every token, so it links none of them.
        self.key_id = _derive(secret, b"pulsedesk weekly reply key id", 6).hex()

    def seal(self, writer: Writer, *, team_id: str, week: str, topic: str) -> str:
        plain = f"{writer.team_id}\n{writer.user_id}".encode()
        if len(plain) >= PADDED_BYTES:
            raise ValueError("a Slack id longer than any Slack gives")
        padded = plain + b"\n" * (PADDED_BYTES - len(plain))
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, padded, _context(team_id, week, topic))
        body = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{VERSION}.{self.key_id}.{body}"

    def can_open(self, token: str | None) -> bool:
        """Whether the token was sealed with this key (and so a reply can be offered)."""
        return bool(token) and str(token).startswith(f"{VERSION}.{self.key_id}.")

    def open(self, token: str, *, team_id: str, week: str, topic: str) -> Writer:
        if not self.can_open(token):
            raise TokenUnreadable("sealed with another key")
        body = token.split(".", 2)[2]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise TokenUnreadable("not a token") from None
        nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        try:
            padded = self._aead.decrypt(nonce, sealed, _context(team_id, week, topic))
        except (InvalidTag, ValueError):
            raise TokenUnreadable("altered, or sealed for another comment") from None
        team, _, user = padded.rstrip(b"\n").decode().partition("\n")
        if not team or not user:
            raise TokenUnreadable("empty")
        return Writer(team_id=team, user_id=user)
