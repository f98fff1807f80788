"""Every route of the workload context, for the app factory: each part's modules list their own."""

from __future__ import annotations

from typing import Any

routes: list[Any] = []
