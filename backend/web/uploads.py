"""Photos attached to proposals: checked, re-encoded without metadata (no GPS), stored by content hash."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from backend.kernel.errors import DomainError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1600
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
NAME = re.compile(r"^[0-9a-f]{64}\.(jpg|png|webp)$")
Image.MAX_IMAGE_PIXELS = 40_000_000


@dataclass(frozen=True)
class Photo:
    name: str
    data: bytes


def prepare_photo(raw: bytes) -> Photo:
    if len(raw) > MAX_BYTES:
        raise DomainError("Each photo must be at most 5 MB.", "photos")
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(raw))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DomainError("Photos must be JPEG, PNG or WebP images.", "photos") from None
    if image.format not in FORMATS:
        raise DomainError("Photos must be JPEG, PNG or WebP images.", "photos")
    extension, _ = FORMATS[image.format]
    fmt = image.format
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 85} if fmt in ("JPEG", "WEBP") else {"optimize": True}))
    data = out.getvalue()
    return Photo(f"{hashlib.sha256(data).hexdigest()}.{extension}", data)


def store_photo(uploads_dir: Path, photo: Photo) -> None:
    uploads_dir.mkdir(parents=True, exist_ok=True)
    target = uploads_dir / photo.name
    if not target.exists():
        tmp = target.with_suffix(".part")
        tmp.write_bytes(photo.data)
        tmp.replace(target)


def media_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1]
    return {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[extension]
