"""The phone's outbox (issue 23 item 5), the server's part of the client: /me/outbox serves its page to anyone (the
service worker keeps it as a visitor sees it, with no one's name); the forms of the actions it covers are marked for
frontend/static/js/outbox.js with their label and its words, translated; and a plain form as the service worker sends
it (the script's `_outbox` fields, an Idempotency-Key header) runs once, its repeat answered alike."""

from __future__ import annotations

import json
import re
from typing import Any
from uuid import uuid4

from backend.deliberation.domain.proposal import Proposal
from tests.factories import count_topic, sign_in
from tests.test_idempotency import a_proposal

WORDS = re.compile(r"data-outbox-words='([^']*)'")


def words_of(html: str) -> dict[str, str]:
    found = WORDS.search(html)
    assert found, "the page carries the outbox's words"
    return json.loads(found.group(1))


async def test_the_outbox_page_opens_for_anyone_with_its_words(client):
    visitor = await client.get("/me/outbox")
    assert visitor.status_code == 200
    assert 'id="outbox-items"' in visitor.text and 'id="outbox-results"' in visitor.text
    words = words_of(visitor.text)
    assert words["pending"] == "待发送 · 联网后自动发送"
    assert words["confirm"] == "还有 {n} 项未发送，退出将删除它们"
    assert words["count_label"].startswith(words["count"].split(" ")[0])  # the visible count is part of its name

    client.cookies.set("lang", "en")
    assert words_of((await client.get("/me/outbox")).text)["withdraw"] == "Withdraw"


async def test_a_marked_form_sent_as_the_service_worker_sends_it_runs_once(client):
    rt, place, proposal_id = await a_proposal(client)
    await sign_in(client, place.phones[0])
    page = await client.get(f"/proposals/{proposal_id}")
    marked = re.search(r'<form [^>]*action="/proposals/[^"]+/cosign"[^>]*>', page.text)
    assert marked and 'data-outbox="附议"' in marked.group(0), "the co-sign form is in the outbox's care"

    token, key = client.cookies.get("csrftoken"), str(uuid4())
    fields: dict[str, Any] = {"_csrf_token": token, "_outbox": "附议", "_outbox_extra": ""}
    sent = [
        await client.post(f"/proposals/{proposal_id}/cosign", data=fields, headers={"Idempotency-Key": key})
        for _ in range(2)
    ]
    assert [s.status_code for s in sent] == [303, 303]
    assert sent[1].headers.get("idempotent-replay") == "true" and "idempotent-replay" not in sent[0].headers
    assert count_topic(rt, Proposal.CoSigned) == 1
