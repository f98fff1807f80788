"""Every route of the deliberation context (proposals, matters, sittings and their live tallies), for the app
factory: each page's module lists its own."""

from __future__ import annotations

from backend.deliberation.web import answers, floor, live, matters, meetings, notice_review, paper, papers, proposals

routes = [
    *answers.routes,
    *proposals.routes,
    *matters.routes,
    *notice_review.routes,
    *meetings.routes,
    *floor.routes,
    *paper.routes,
    *papers.routes,
    *live.routes,
]
