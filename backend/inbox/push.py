"""Web Push (RFC 8030/8291/8292) to subscribed phones: the VAPID key, made at first start and kept beside the
residents' keys, and sending one push. The round that pushes each notification once is in backend.inbox.rounds."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid
from pywebpush import webpush

from backend.kernel.ports import Commands

TTL_SECONDS = 3600
CONTACT = "mailto:linli@localhost"


def _new_key() -> bytes:
    vapid = Vapid()
    vapid.generate_keys()
    return vapid.private_pem()


def vapid(rt: Commands) -> Vapid:
    return Vapid.from_pem(rt.personal.secret("vapid", _new_key))


def application_server_key(rt: Commands) -> str:
    """The public key a phone subscribes with (URL-safe base64 of the uncompressed point)."""
    raw = vapid(rt).public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def send(key: Vapid, endpoint: str, p256dh: str, auth: str, payload: dict[str, Any], topic: str) -> int:
    """One push; the HTTP status of the push service (raises WebPushException on an error status)."""
    response = webpush(
        {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
        json.dumps(payload, ensure_ascii=False),
        vapid_private_key=key,
        vapid_claims={"sub": CONTACT},
        ttl=TTL_SECONDS,
        headers={"Topic": topic, "Urgency": "high"},
        timeout=10,
    )
    return int(getattr(response, "status_code", 201))
