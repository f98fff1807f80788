"""Every route of 居务公开, for the app factory: each page's module lists its own."""

from __future__ import annotations

from backend.disclosure.web import board, desk, exports, finance, live, notices, review, verify

routes = [
    *board.routes,
    *notices.routes,
    *verify.routes,
    *exports.routes,
    *live.routes,
    *desk.routes,
    *finance.routes,
    *review.routes,
]
