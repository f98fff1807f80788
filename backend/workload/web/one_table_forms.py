"""The form of 一表通's submission, as the API schema describes it (backend.web.act: every field optional, read by
the handler)."""

from __future__ import annotations

from typing import Annotated

from backend.web.act import EMPTY, FormBody, Text, one_of


class SubmitTableForm(FormBody):
    period: Text = EMPTY  # 2026-11, 2026-Q4 or 2026
    position: Text = EMPTY  # the log position of the table the clerk checked
    checked: Annotated[Text, one_of("yes")] = EMPTY  # 核对: the clerk checked the figures
