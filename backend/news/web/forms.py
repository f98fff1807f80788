"""The forms of 社区动态, as the API schema describes them (backend.web.act: every field optional, read by the
handler), and reading the clerk's form into a Draft (the photo re-encoded without metadata and stored)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Request
from litestar.datastructures import UploadFile

from backend.kernel.errors import DomainError
from backend.news.domain.item import CATEGORIES, Draft
from backend.web.act import EMPTY, Day, File, Form, FormBody, Text, one_of, text
from backend.web.photo_store import PUBLIC, photo_store
from backend.web.uploads import prepare_photo

FIELDS = ("category", "title", "text", "until")


class NewsForm(FormBody):
    category: Annotated[Text, one_of(*CATEGORIES)] = EMPTY
    title: Text = EMPTY
    text: Text = EMPTY
    photo: File = msgspec.field(default_factory=File)
    drop_photo: Annotated[Text, one_of("1")] = EMPTY  # on an edit: the earlier photo goes
    pinned: Annotated[Text, one_of("1")] = EMPTY
    important: Annotated[Text, one_of("1")] = EMPTY
    until: Day = EMPTY


class ReasonForm(FormBody):
    reason: Text = EMPTY


def values_of(form: Form) -> dict[str, Any]:
    """The form as typed, to show it again when it is refused."""
    return {
        **{k: text(form, k) for k in FIELDS},
        "pinned": text(form, "pinned") == "1",
        "important": text(form, "important") == "1",
    }


def _day(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise DomainError("Give the last day as YYYY-MM-DD.", "until") from None


async def draft_of(request: Request[Any, Any, Any], form: Form, photo: str = "") -> Draft:
    """The clerk's form as a Draft; `photo` is the earlier one an edit keeps unless a new one comes or it is dropped."""
    upload = next((f for f in form.getall("photo", []) if isinstance(f, UploadFile) and f.filename), None)
    if upload is not None:
        stored = prepare_photo(await upload.read())  # EXIF and the rest of the metadata go: it is re-encoded
        await photo_store(request.app.state.runtime).keep(PUBLIC, stored)
        photo = stored.name
    elif text(form, "drop_photo") == "1":
        photo = ""
    return Draft(
        text(form, "category"),
        text(form, "title"),
        text(form, "text"),
        photo,
        text(form, "pinned") == "1",
        text(form, "important") == "1",
        _day(text(form, "until")),
    )
