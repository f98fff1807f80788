"""Every route of the workload context, for the app factory: each part's modules list their own."""

from __future__ import annotations

from typing import Any

from backend.workload.web import (
    admission,
    certificate_desk,
    certificate_lists,
    certificate_pages,
    errand_desk,
    errand_pages,
    ledgers,
    one_table,
    tasks,
)

routes: list[Any] = [*admission.routes, *tasks.routes, *one_table.routes]
routes += [*certificate_lists.routes, *certificate_desk.routes, *certificate_pages.routes]  # 证明事项
routes += ledgers.routes  # 台账
routes += [*errand_desk.routes, *errand_pages.routes]  # 全程代办
