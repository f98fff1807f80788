"""The forms of 居务公开 read into command arguments: a moment of time travel, the attached photos, a finance entry."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile

from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.web.act import Form
from backend.web.uploads import prepare_photo, store_photo

PHOTO_MAX_BYTES = 5 * 1024 * 1024
ENTRY_FIELDS = ("kind", "on", "amount", "category", "counterparty", "person")


def parse_moment(text: str) -> datetime | None:
    """ "2026-03-01 09:00" or "2026-03-01T09:00" (China time); a day alone is its end."""
    text = text.strip().replace("T", " ")
    if not text:
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.max.time(), LOCAL_ZONE)
        return datetime.fromisoformat(text).replace(tzinfo=LOCAL_ZONE)
    except ValueError:
        raise DomainError("Give the moment as YYYY-MM-DD HH:MM.", "at") from None


async def photos(request: Request[Any, Any, Any], form: Any) -> list[str]:
    """The attached photos, re-encoded without metadata and stored; their digests."""
    stored = []
    files = [f for f in form.getall("photos", []) if isinstance(f, UploadFile) and f.filename]
    if len(files) > 4:
        raise DomainError("At most 4 photos.", "photos")
    for upload in files:
        raw = await upload.read()
        if len(raw) > PHOTO_MAX_BYTES:
            raise DomainError("A photo may be at most 5 MB.", "photos")
        photo = prepare_photo(raw)
        store_photo(request.app.state.runtime.settings.uploads_dir, photo)
        stored.append(photo.name)
    return stored


def entry_values(form: Form) -> dict[str, str]:
    """A finance entry's fields as typed (to show them again when the entry is refused)."""
    return {k: str(form.get(k, "")) for k in ENTRY_FIELDS}


def entry_day(values: dict[str, str]) -> date:
    try:
        return date.fromisoformat(values["on"])
    except ValueError:
        raise DomainError("Give the date (YYYY-MM-DD).", "on") from None
