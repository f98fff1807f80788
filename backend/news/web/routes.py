"""Every route of 社区动态, for the app factory: each page's module lists its own."""

from __future__ import annotations

from backend.news.web import desk, pages

routes = [*desk.routes, *pages.routes]
