"""The forms of the errands (全程代办), as the API schema describes them (backend.web.act: every field optional, read
by the handler)."""

from __future__ import annotations

from typing import Annotated

from backend.web.act import EMPTY, Day, FormBody, Id, Text, one_of
from backend.workload.domain.errands import CATALOG, RESULTS


class OpenForm(FormBody):
    resident_id: Id = EMPTY
    item: Annotated[Text, one_of(*CATALOG)] = EMPTY


class ReceiveForm(FormBody):
    document: Text = EMPTY


class HandOverForm(FormBody):
    on: Day = EMPTY


class DecideForm(FormBody):
    result: Annotated[Text, one_of(*RESULTS)] = EMPTY
    reason: Text = EMPTY


class StepForm(FormBody):
    """A step that takes nothing but the click (hand back; the resident's confirmation)."""
