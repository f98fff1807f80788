"""Form fields of the deliberation's pages turned into command arguments: photos, the time of a sitting, the day and
money of an implementation step, the notice a form names. A field that does not parse is a DomainError on it, shown
with the form like any other refusal."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, cast

import msgspec
from litestar.datastructures import FormMultiDict, UploadFile

from backend.deliberation.domain.proposal import CATEGORIES
from backend.deliberation.domain.rules import Body, Stage
from backend.deliberation.domain.vote import Choice
from backend.kernel.errors import DomainError
from backend.kernel.zone import LOCAL_ZONE
from backend.web.act import EMPTY, Amount, Day, Files, Form, FormBody, Id, Moment, Text, Whole, one_of, text
from backend.web.photo_store import PUBLIC, photo_store
from backend.web.uploads import prepare_photo

NOTICES = (Stage.RESOLUTION_NOTICE, Stage.RESULT_NOTICE)  # ⑤ and ⑥, the stages that are published


def stripped(form: Form, *names: str) -> dict[str, str]:
    """The fields as typed, without surrounding blanks (also what the page shows again when refused)."""
    return {name: text(form, name).strip() for name in names}


def photo_uploads(form: Form) -> list[UploadFile]:
    """The photos chosen (an empty file input sends one nameless part)."""
    sent = cast("FormMultiDict", form).getall("photos") if "photos" in form else []
    return [f for f in sent if isinstance(f, UploadFile) and f.filename]


async def stored_photos(rt: Any, uploads: list[UploadFile]) -> list[str]:
    """Every photo checked first (a bad one refuses the form and stores none), then stored; their names."""
    photos = [prepare_photo(await upload.read()) for upload in uploads]
    for photo in photos:
        await photo_store(rt).keep(PUBLIC, photo)
    return [p.name for p in photos]


def local_time(value: str, field: str = "starts_at") -> datetime:
    """A date and time typed on the page, in China's zone (one whose moment in UTC a datetime cannot hold, in the
    first hours of year 1, is no date and time either)."""
    try:
        return datetime.fromisoformat(value).replace(tzinfo=LOCAL_ZONE).astimezone(UTC)
    except (ValueError, OverflowError):
        if field == "online_until":
            raise DomainError("Please give the date and time the online ballot closes.", field) from None
        raise DomainError("Please give the date and time of the sitting.", field) from None


def body_of(value: str) -> Body:
    if value not in Body.__members__.values():
        raise DomainError("Please choose the body that sits.", "body")
    return Body(value)


def notice_stage(value: str, message: str, status: int = 400) -> Stage:
    """⑤ or ⑥, or `message` (the form named a stage that is not published)."""
    if value not in NOTICES:
        raise DomainError(message, status=status)
    return Stage(value)


def work_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError("Please give the date of the work.", "on") from None


# -- the forms, as the API schema describes them (backend.web.act: every field optional, read by the handler) --------
class ProposalForm(FormBody):
    title: Text = EMPTY
    description: Text = EMPTY
    category: Annotated[Text, one_of(*CATEGORIES)] = EMPTY
    photos: Files = msgspec.field(default_factory=Files)


class ReasonForm(FormBody):
    """Withdrawing a proposal, answering nothing else: the reason given."""

    reason: Text = EMPTY


class TakeUpForm(FormBody):
    collective_asset: Annotated[Text, one_of("1")] = EMPTY


class FloorMemberForm(FormBody):
    """The chair's choice on the speaker list: the member to move up or to give the floor (none: the next)."""

    resident_id: Id = EMPTY


class OpenMatterForm(FormBody):
    """A matter the committee raises itself, without a resident's proposal (issue 29)."""

    title: Text = EMPTY
    description: Text = EMPTY
    collective_asset: Annotated[Text, one_of("1")] = EMPTY


class ScheduleForm(FormBody):
    body: Annotated[Text, one_of(*Body)] = EMPTY
    place: Text = EMPTY
    starts_at: Moment = EMPTY
    motion: Text = EMPTY
    mode: Annotated[Text, one_of("sitting", "online")] = EMPTY
    online_until: Moment = EMPTY


class PublishForm(FormBody):
    stage: Annotated[Text, one_of(*NOTICES)] = EMPTY
    text: Text = EMPTY


class ResubmitForm(FormBody):
    description: Text = EMPTY


class RejectForm(FormBody):
    reasons: Text = EMPTY


class ObjectionForm(FormBody):
    stage: Annotated[Text, one_of(*NOTICES)] = EMPTY
    reason: Text = EMPTY


class AnswerForm(FormBody):
    answer: Text = EMPTY


class ProgressForm(FormBody):
    on: Day = EMPTY
    text: Text = EMPTY
    spent: Amount = EMPTY
    photos: Files = msgspec.field(default_factory=Files)


class VoteForm(FormBody):
    choice: Annotated[Text, one_of(*Choice)] = EMPTY


class CheckInForm(FormBody):
    """A member's own check-in (the code on the clerk's screen), or a clerk ticking a member (resident_id)."""

    code: Whole = EMPTY
    resident_id: Id = EMPTY


class MinutesForm(FormBody):
    minutes: Text = EMPTY


class PaperForm(FormBody):
    """A paper ballot entered (resident_id, choice) or confirmed by a second clerk (confirm, member); q: the search
    of the paper desk to return to."""

    resident_id: Id = EMPTY
    choice: Annotated[Text, one_of(*Choice)] = EMPTY
    confirm: Annotated[Text, one_of("yes")] = EMPTY
    member: Id = EMPTY
    q: Text = EMPTY


class ProposalAnswerForm(FormBody):
    """The committee's answer to a proposal: what it does (kind), the written answer, the proposal it is merged into
    (target_id), the request's category (a case), whether a matter is one of collective assets."""

    kind: Annotated[Text, one_of("matter", "answered", "merged", "case")] = EMPTY
    text: Text = EMPTY
    target_id: Id = EMPTY
    category: Text = EMPTY
    collective_asset: Annotated[Text, one_of("1")] = EMPTY
