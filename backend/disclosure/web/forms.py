"""The forms of 居务公开 read into command arguments: a moment of time travel, the attached photos, a finance entry."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar

import msgspec
from litestar import Request
from litestar.datastructures import UploadFile

from backend.disclosure.domain.finance import FINANCE_CATEGORIES
from backend.disclosure.domain.notice import CATEGORIES
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.web.act import EMPTY, Amount, Day, Files, Form, FormBody, Text, one_of
from backend.web.photo_store import PUBLIC, photo_store
from backend.web.uploads import prepare_photo

PHOTO_MAX_BYTES = 5 * 1024 * 1024
ENTRY_FIELDS = ("kind", "on", "amount", "category", "counterparty", "person")


def parse_moment(text: str) -> datetime | None:
    """ "2026-03-01 09:00" or "2026-03-01T09:00" (China time); a day alone is its end. A moment the record's times
    (UTC) cannot be compared with, in the first hours of year 1, is refused like one that is no moment."""
    text = text.strip().replace("T", " ")
    if not text:
        return None
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), datetime.max.time(), LOCAL_ZONE)
        else:
            moment = datetime.fromisoformat(text).replace(tzinfo=LOCAL_ZONE)
        moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise DomainError("Give the moment as YYYY-MM-DD HH:MM.", "at") from None
    return moment


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
        await photo_store(request.app.state.runtime).keep(PUBLIC, photo)
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


# -- the forms, as the API schema describes them (backend.web.act: every field optional, read by the handler) --------
class Month(Text):
    """A month, YYYY-MM."""

    schema: ClassVar[dict[str, Any]] = {"pattern": r"^[0-9]{4}-[01][0-9]$"}


class When(Text):
    """A moment of the record to look at: a day (its end), or a day and time (China time), as parse_moment reads."""

    schema: ClassVar[dict[str, Any]] = {"pattern": r"^[0-9]{4}-[01][0-9]-[0-3][0-9]([ T][0-2][0-9]:[0-5][0-9])?$"}


class DraftForm(FormBody):
    category: Annotated[Text, one_of(*CATEGORIES)] = EMPTY
    title: Text = EMPTY
    text: Text = EMPTY
    photos: Files = msgspec.field(default_factory=Files)


class ReviseForm(FormBody):
    title: Text = EMPTY
    text: Text = EMPTY
    reason: Text = EMPTY


class EntryForm(FormBody):
    kind: Annotated[Text, one_of(*FINANCE_CATEGORIES)] = EMPTY
    on: Day = EMPTY
    amount: Amount = EMPTY
    category: Annotated[Text, one_of(*(key for kind in FINANCE_CATEGORIES.values() for key in kind))] = EMPTY
    counterparty: Text = EMPTY
    person: Annotated[Text, one_of("1")] = EMPTY
    photos: Files = msgspec.field(default_factory=Files)


class CorrectionForm(FormBody):
    amount: Amount = EMPTY
    reason: Text = EMPTY


class ReportForm(FormBody):
    month: Month = EMPTY


class ReasonForm(FormBody):
    """An objection raised, or a draft returned to the clerk: the reason given."""

    reason: Text = EMPTY


class AnswerForm(FormBody):
    answer: Text = EMPTY
