"""The forms of 走访 and 关爱 as the API schema describes them (backend.web.act: every field optional, read by the
handler): a diary entry and the case raised from it, a visit planned for a volunteer, a volunteer's record of it,
and the clerk's care flags."""

from __future__ import annotations

from typing import Annotated

import msgspec

from backend.web.act import EMPTY, Day, FormBody, Id, Text, Texts, one_of


class VisitForm(FormBody):
    """民情日志: the household, the day, what was found; and, ticked, the case raised from it in the same step."""

    household_id: Id = EMPTY
    visited_on: Day = EMPTY
    found: Text = EMPTY
    raise_case: Annotated[Text, one_of("1")] = EMPTY
    category: Text = EMPTY
    case_text: Text = EMPTY
    urgent: Annotated[Text, one_of("1")] = EMPTY


class PlanVisitForm(FormBody):
    """A visit for a volunteer (found by the phone they registered with): the task they read, the day it is due,
    or the volunteering shift they make it in (its hours count)."""

    household_id: Id = EMPTY
    phone: Text = EMPTY
    task: Text = EMPTY
    due_on: Day = EMPTY
    shift_id: Id = EMPTY


class RecordVisitForm(FormBody):
    visited_on: Day = EMPTY
    found: Text = EMPTY


class CareForm(FormBody):
    """A household flagged for care: its categories, and the person cared for (by phone, when they have an
    account)."""

    household_id: Id = EMPTY
    categories: Texts = msgspec.field(default_factory=Texts)  # of CARE_CATEGORIES
    phone: Text = EMPTY


class UnflagForm(FormBody):
    reason: Text = EMPTY
