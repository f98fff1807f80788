"""Form fields of casework's pages into command arguments (photos kept out of the public uploads, days, whole
numbers, the matter list's lines), and the forms as the API schema describes them. A field that does not parse is a
DomainError on it, shown with the form like any other refusal."""

from __future__ import annotations

from typing import Annotated, Any, cast
from uuid import UUID

import msgspec
from litestar.datastructures import FormMultiDict, UploadFile

from backend.casework.domain.department import KINDS
from backend.casework.domain.matters import Narrowing
from backend.casework.domain.rules import ANSWER_DAYS, CHANNELS, HANDLING, LEVELS, PHOTOS_MAX, MatterItem
from backend.kernel.errors import DomainError
from backend.web.act import EMPTY, Day, Files, Form, FormBody, Id, Text, Texts, Whole, one_of, text, texts
from backend.web.pages import whole_number
from backend.web.photo_store import CASES, photo_store
from backend.web.uploads import prepare_photo

# A case's photos are never at a public address (DESIGN 10, private uploads): they are kept apart from the public
# uploads (their own area of the photo store: the data dir's `uploads/cases`, or rows of area "cases") and served
# only through the case's own page, to those who may see it.
CASE_PHOTOS = CASES


def photo_uploads(form: Form) -> list[UploadFile]:
    """The photos chosen (an empty file input sends one nameless part)."""
    sent = cast("FormMultiDict", form).getall("photos") if hasattr(form, "getall") and "photos" in form else []
    return [f for f in sent if isinstance(f, UploadFile) and f.filename]


async def stored_photos(rt: Any, form: Form) -> list[str]:
    """Every photo checked first (a bad one refuses the form and stores none), re-encoded without its metadata
    (EXIF, GPS), then stored among the cases' photos; their names."""
    uploads = photo_uploads(form)
    if len(uploads) > PHOTOS_MAX:
        raise DomainError("At most 4 photos.", "photos")
    photos = [prepare_photo(await upload.read()) for upload in uploads]
    for photo in photos:
        await photo_store(rt).keep(CASE_PHOTOS, photo)
    return [p.name for p in photos]


def ticked(form: Form, name: str) -> bool:
    return text(form, name) == "1"


def working_of(form: Form) -> bool:
    """A calendar day's kind: worked (1, 调休上班) or a holiday (0, 放假)."""
    value = text(form, "working")
    if value not in ("0", "1"):
        raise DomainError("Say whether the day is a holiday or a working day.", "working")
    return value == "1"


def optional_id(form: Form, name: str, message: str) -> UUID | None:
    """An id, or None for the empty choice ("no grid", "none yet")."""
    value = text(form, name).strip()
    if not value:
        return None
    try:
        return UUID(value)
    except ValueError:
        raise DomainError(message, name) from None


def solved_of(form: Form) -> bool:
    value = text(form, "solved")
    if value not in ("yes", "no"):
        raise DomainError("Say whether the problem was solved.", "solved")
    return value == "yes"


def categories_of(form: Form) -> list[str]:
    """The categories ticked (a multi-valued field)."""
    return texts(form, "categories")


def matter_item(form: Form) -> MatterItem:
    """A line of the street's matter list as typed (the aggregate checks it)."""
    days = whole_number(text(form, "answer_days"), "answer_days", "The answer takes 1, 5 or 15 working days.")
    department = optional_id(form, "department_id", "Choose a department of the street.")
    return MatterItem(text(form, "code").strip(), text(form, "label"), text(form, "handling"), days, department)


def narrowing(form: Form) -> Narrowing:
    """A community's narrowing of one category: dropped, fewer days, or 即办 instead of 吹哨."""
    days = text(form, "answer_days").strip()
    answer_days = whole_number(days, "answer_days", "The answer takes 1, 5 or 15 working days.") if days else 0
    handling = text(form, "handling")
    if handling not in ("", "immediate"):
        raise DomainError("A community may only move a category to 即办.", "handling")
    return Narrowing(dropped=ticked(form, "dropped"), answer_days=answer_days, handling=handling)


# -- the forms, as the API schema describes them (backend.web.act: every field optional, read by the handler) --------
class RaiseForm(FormBody):
    """A resident's new case: the category, what is wrong, where (a place; empty: their building), photos."""

    category: Text = EMPTY
    text: Text = EMPTY
    place: Text = EMPTY
    photos: Files = msgspec.field(default_factory=Files)
    urgent: Annotated[Text, one_of("1")] = EMPTY
    public: Annotated[Text, one_of("1", "0")] = EMPTY


class RaiseForForm(RaiseForm):
    """A case raised for a resident who called or knocked (楼长, 网格员, clerk); q: the search that found them."""

    resident_id: Id = EMPTY
    q: Text = EMPTY


class PlainForm(FormBody):
    """A form that sends nothing of its own (accept, 我也遇到, report in, approve)."""


class RateForm(FormBody):
    level: Annotated[Text, one_of(*LEVELS)] = EMPTY
    solved: Annotated[Text, one_of("yes", "no")] = EMPTY
    comment: Text = EMPTY


class PhoneRateForm(RateForm):
    """A rating a raiser gave by phone or on a visit (回访), recorded by a clerk."""

    resident_id: Id = EMPTY
    channel: Annotated[Text, one_of(*(c for c in CHANNELS if c != "self"))] = EMPTY


class ReasonForm(FormBody):
    reason: Text = EMPTY


class NoteForm(FormBody):
    """A progress note, an answer (the owner's, or a department's): text and photos."""

    text: Text = EMPTY
    photos: Files = msgspec.field(default_factory=Files)


class HandOverForm(ReasonForm):
    to_id: Id = EMPTY


class MergeForm(FormBody):
    duplicate_id: Id = EMPTY


class ExtensionForm(ReasonForm):
    days: Whole = EMPTY


class WhistleForm(ReasonForm):
    """吹哨: the department of the street (empty: the one the matter list names) and the reason (required for 即办)."""

    department_id: Id = EMPTY


class GridForm(FormBody):
    name: Text = EMPTY


class BuildingForm(FormBody):
    building: Text = EMPTY


class MoveForm(BuildingForm):
    to_grid_id: Id = EMPTY


class PlaceForm(FormBody):
    name: Text = EMPTY
    grid_id: Id = EMPTY


class WorkerForm(FormBody):
    resident_id: Id = EMPTY


class HeadForm(BuildingForm):
    resident_id: Id = EMPTY


class UnassignForm(ReasonForm):
    building: Text = EMPTY


class NarrowForm(FormBody):
    """A narrowing of one category for the community, or (grid_id) further for one of its grids."""

    code: Text = EMPTY
    dropped: Annotated[Text, one_of("1")] = EMPTY
    answer_days: Annotated[Text, one_of(*(str(d) for d in ANSWER_DAYS))] = EMPTY
    handling: Annotated[Text, one_of("immediate")] = EMPTY
    effective_from: Day = EMPTY
    grid_id: Id = EMPTY  # empty: the whole community


class LiftForm(FormBody):
    code: Text = EMPTY
    effective_from: Day = EMPTY
    grid_id: Id = EMPTY  # empty: the community's own narrowing


class StreetForm(FormBody):
    """A street operator's form; street: which of their streets (their first when empty)."""

    street: Text = EMPTY


class DepartmentForm(StreetForm):
    name: Text = EMPTY
    kind: Annotated[Text, one_of(*KINDS)] = EMPTY
    categories: Texts = msgspec.field(default_factory=Texts)


class CategoriesForm(StreetForm):
    categories: Texts = msgspec.field(default_factory=Texts)


class StaffForm(StreetForm):
    """A department's staff member, found by the phone they registered with; until: the last day (optional)."""

    phone: Text = EMPTY
    until: Day = EMPTY


class RemoveStaffForm(StreetForm):
    resident_id: Id = EMPTY
    reason: Text = EMPTY


class MatterForm(StreetForm):
    code: Text = EMPTY
    label: Text = EMPTY
    handling: Annotated[Text, one_of(*HANDLING)] = EMPTY
    answer_days: Annotated[Text, one_of(*(str(d) for d in ANSWER_DAYS))] = EMPTY
    department_id: Id = EMPTY
    effective_from: Day = EMPTY


class DropMatterForm(StreetForm):
    code: Text = EMPTY
    effective_from: Day = EMPTY


class CalendarDayForm(StreetForm):
    """A day of the street's working calendar: a holiday (working 0) or a weekend day worked, 调休 (working 1)."""

    day: Day = EMPTY
    working: Annotated[Text, one_of("0", "1")] = EMPTY
    note: Text = EMPTY


class ClearDayForm(StreetForm):
    day: Day = EMPTY


class RerouteForm(ReasonForm):
    department_id: Id = EMPTY


def whole(form: Form, name: str, message: str) -> int:
    """A whole number typed in a field, or `message` on it."""
    return whole_number(text(form, name), name, message)
