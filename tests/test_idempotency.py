"""The offline outbox's idempotency keys (issue 23 item 5, backend/web/idempotency.py), through HTTP with the real
stores: a keyed action runs once and every repeat gets its first answer, marked `Idempotent-Replay`; keys are per
resident; a refusal is kept and replayed, a server error or a request refused before its handler is not; a key used
for another action is a client's bug (422); a repeat racing the first waits for it (threads on one live app); a
form with a photo works the same; keys older than a week are dropped; a stored form's CSRF token may be replaced
by a fresh one from GET /me/csrf."""

from __future__ import annotations

import io
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID, uuid4

import psycopg
from litestar.testing import TestClient
from piccolo.querystring import QueryString
from PIL import Image

from backend.deliberation.commands import proposals
from backend.deliberation.domain.proposal import Proposal
from backend.kernel.context import Ctx
from backend.web import idempotency
from backend.web.app import create_app
from backend.web.idempotency_keys import KEEP_SECONDS, STALE_SECONDS, Keys
from projections.db import write_transaction
from tests.conftest import NOW, POSTGRES
from tests.factories import PASSWORD, app_runtime, community, count_topic, sign_in

PROPOSAL = {"title": "楼道灯坏了", "description": "三栋二单元晚上很黑", "category": "facilities"}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(out, format="PNG")
    return out.getvalue()


async def a_proposal(client: Any, residents: int = 3) -> tuple[Any, Any, UUID]:
    """A community, and a proposal by its last resident that the others may co-sign."""
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=residents)
    made = await proposals.submit(rt, Ctx(place.community_id, place.residents[-1], NOW), "路灯", "坏了", "other", [])
    return rt, place, UUID(made.result["proposal_id"])


async def cosign(client: Any, proposal_id: UUID, key: str | None, htmx: bool = True) -> Any:
    """The co-sign button as the outbox sends it (no form idempotency field: only the header keeps it once)."""
    token = client.cookies.get("csrftoken")
    headers = {"x-csrftoken": token, **({"Idempotency-Key": key} if key else {})}
    if htmx:
        headers["HX-Request"] = "true"
    return await client.post(f"/proposals/{proposal_id}/cosign", data={"_csrf_token": token}, headers=headers)


async def propose(client: Any, key: str, photo: bool = False) -> Any:
    await client.get("/proposals/new")
    files = [("photos", ("lamp.png", png(), "image/png"))] if photo else None
    return await client.post(
        "/proposals/new",
        data={**PROPOSAL, "_csrf_token": client.cookies.get("csrftoken")},
        files=files,
        headers={"Idempotency-Key": key},
    )


def same_answer(first: Any, again: Any) -> None:
    assert again.status_code == first.status_code and again.content == first.content
    for name in ("location", "hx-redirect", "hx-trigger", "hx-location", "content-type"):
        assert again.headers.get(name) == first.headers.get(name), name
    assert "idempotent-replay" not in first.headers and again.headers["idempotent-replay"] == "true"


def on_app(client: Any, job: Any, *args: Any) -> Any:
    """Run `job` on the app's event loop (on PostgreSQL the views' connections belong to it)."""
    return client.blocking_portal.call(job, *args)


def kept_keys(client: Any) -> int:
    rt = app_runtime(client)
    rows = on_app(client, rt.engine.run_querystring, QueryString("SELECT COUNT(*) AS n FROM idempotency_key"))
    return int(rows[0]["n"])


async def backdated(rt: Any, seconds: int) -> None:
    async with write_transaction(rt.engine):
        await rt.engine.run_querystring(QueryString("UPDATE idempotency_key SET created = created - {}", seconds))


async def test_a_cosign_sent_twice_with_one_key_runs_once_and_is_answered_alike(client):
    rt, place, proposal_id = await a_proposal(client)
    await sign_in(client, place.phones[0])
    await client.get(f"/proposals/{proposal_id}")
    key = str(uuid4())
    first = await cosign(client, proposal_id, key)
    again = await cosign(client, proposal_id, key)
    assert first.status_code == 200 and "cosign" in first.text
    same_answer(first, again)
    assert count_topic(rt, Proposal.CoSigned) == 1
    # without htmx (a plain form): the redirect, replayed as it was
    other = await a_proposal_of(rt, place)
    plain = await cosign(client, other, "plain-key-1", htmx=False)
    assert plain.status_code == 303
    same_answer(plain, await cosign(client, other, "plain-key-1", htmx=False))
    assert count_topic(rt, Proposal.CoSigned) == 2


async def a_proposal_of(rt: Any, place: Any) -> UUID:
    made = await proposals.submit(rt, Ctx(place.community_id, place.residents[-1], NOW), "长椅", "坏了", "other", [])
    return UUID(made.result["proposal_id"])


async def test_two_keys_are_two_attempts_and_the_refusal_is_kept_and_replayed(client):
    rt, place, proposal_id = await a_proposal(client)
    await sign_in(client, place.phones[0])
    await client.get(f"/proposals/{proposal_id}")
    assert (await cosign(client, proposal_id, "first-attempt")).status_code == 200
    refused = await cosign(client, proposal_id, "second-attempt")
    assert refused.status_code == 409 and "您已经附议过这个议题" in refused.text, "the domain refuses a second co-sign"
    assert "idempotent-replay" not in refused.headers
    same_answer(refused, await cosign(client, proposal_id, "second-attempt"))
    assert count_topic(rt, Proposal.CoSigned) == 1


async def test_keys_are_per_resident(client):
    """One phone shared by two residents, the same key from each: two actions, neither a repeat."""
    rt, place, proposal_id = await a_proposal(client)
    for phone in place.phones[:2]:
        await sign_in(client, phone)
        await client.get(f"/proposals/{proposal_id}")
        answer = await cosign(client, proposal_id, "shared-key")
        assert answer.status_code == 200 and "idempotent-replay" not in answer.headers
    assert count_topic(rt, Proposal.CoSigned) == 2


async def test_a_key_sent_for_another_action_is_a_clients_bug(client):
    rt, place, proposal_id = await a_proposal(client)
    await sign_in(client, place.phones[0])
    await client.get(f"/proposals/{proposal_id}")
    assert (await cosign(client, proposal_id, "one-key-one-action")).status_code == 200
    token = client.cookies.get("csrftoken")
    wrong = await client.post(
        f"/proposals/{proposal_id}/withdraw",
        data={"_csrf_token": token, "reason": "不要了"},
        headers={"Idempotency-Key": "one-key-one-action"},
    )
    assert wrong.status_code == 422 and f"POST /proposals/{proposal_id}/cosign" in wrong.text
    assert "请刷新页面后重试" in wrong.text
    malformed = await cosign(client, proposal_id, "short")
    assert malformed.status_code == 400 and "Idempotency-Key" in malformed.text
    assert count_topic(rt, Proposal.CoSigned) == 1 and count_topic(rt, Proposal.Withdrawn) == 0


async def test_a_visitors_key_is_ignored(client):
    rt = app_runtime(client)
    place = await community(rt, NOW, residents=1)
    await client.get("/signin")
    for _ in range(2):
        wrong = await client.post(
            "/signin",
            data={"phone": place.phones[0], "password": "wrong-password", "_csrf_token": client.cookies["csrftoken"]},
            headers={"Idempotency-Key": "visitor-key"},
        )
        assert wrong.status_code < 500 and "idempotent-replay" not in wrong.headers
    assert kept_keys(client) == 0


async def test_a_form_with_a_photo_sent_twice_makes_one_proposal(client):
    rt, place, _ = await a_proposal(client, residents=1)
    await sign_in(client, place.phones[0])
    before = count_topic(rt, Proposal.Submitted)
    first = await propose(client, "photo-proposal", photo=True)
    again = await propose(client, "photo-proposal", photo=True)
    assert first.status_code == 303 and first.headers["location"].startswith("/proposals/")
    same_answer(first, again)
    assert count_topic(rt, Proposal.Submitted) == before + 1


def break_the_photo_store(settings, mend: bool = False) -> None:
    """The uploads folder a file (SQLite), the uploads table gone (PostgreSQL); or mended."""
    if POSTGRES:
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            schema = f'"{settings.pg_schema}_events"'
            names = ("uploads_kept", "uploads") if mend else ("uploads", "uploads_kept")
            conn.execute(f"ALTER TABLE {schema}.{names[0]} RENAME TO {names[1]}")
    elif mend:
        settings.uploads_dir.unlink()
        (settings.data_dir / "uploads-kept").rename(settings.uploads_dir)
    else:
        settings.uploads_dir.mkdir(parents=True, exist_ok=True)
        settings.uploads_dir.rename(settings.data_dir / "uploads-kept")
        settings.uploads_dir.write_text("not a folder")


async def test_a_server_error_is_not_kept_and_a_retry_runs(client, settings):
    """The photo store is broken (a file where the uploads folder should be; its table gone): the first sending
    fails with a 500; once it is mended, the outbox's retry with the same key runs."""
    rt, place, _ = await a_proposal(client, residents=1)
    await sign_in(client, place.phones[0])
    before = count_topic(rt, Proposal.Submitted)
    await client.get(f"/uploads/{'0' * 64}.jpg")  # the photo store at work (on PostgreSQL: its table made)
    break_the_photo_store(settings)
    failed = await propose(client, "after-a-fault", photo=True)
    assert failed.status_code == 500 and count_topic(rt, Proposal.Submitted) == before
    break_the_photo_store(settings, mend=True)
    retried = await propose(client, "after-a-fault", photo=True)
    assert retried.status_code == 303 and "idempotent-replay" not in retried.headers
    assert count_topic(rt, Proposal.Submitted) == before + 1


async def test_a_stored_form_is_sent_with_a_fresh_csrf_token(client):
    """The browser dropped its CSRF cookie while the co-sign waited in the outbox: the stored token is refused (403,
    not kept); GET /me/csrf gives a fresh token, sent in the header, and the same key then runs."""
    rt, place, proposal_id = await a_proposal(client)
    await sign_in(client, place.phones[0])
    await client.get(f"/proposals/{proposal_id}")
    stored = client.cookies["csrftoken"]
    client.cookies.delete("csrftoken")
    sent = {"data": {"_csrf_token": stored}, "headers": {"Idempotency-Key": "queued-while-offline"}}
    refused = await client.post(f"/proposals/{proposal_id}/cosign", **sent)
    assert refused.status_code == 403
    fresh = await client.get("/me/csrf")
    assert fresh.status_code == 200 and fresh.headers["cache-control"] == "no-store"
    who = fresh.json()["who"]  # an opaque mark of the person (the outbox drops what someone else queued)
    assert fresh.json() == {"token": client.cookies["csrftoken"], "signed_in": True, "who": who}
    assert len(who) == 16 and str(place.residents[0]) not in who
    sent["headers"]["x-csrftoken"] = fresh.json()["token"]
    ran = await client.post(f"/proposals/{proposal_id}/cosign", **sent)
    assert ran.status_code == 303 and "idempotent-replay" not in ran.headers
    assert count_topic(rt, Proposal.CoSigned) == 1
    client.cookies.delete("linli_session")
    assert (await client.get("/me/csrf")).json() | {"token": ""} == {"token": "", "signed_in": False, "who": ""}
    await sign_in(client, place.phones[1])
    assert (await client.get("/me/csrf")).json()["who"] not in ("", who), "another person, another mark"


async def test_a_repeat_of_an_action_still_running_elsewhere_waits_then_says_so(client, monkeypatch):
    """The key is held by a first request that has not answered (on another host, say): the repeat waits, then
    answers 409 and runs nothing; a claim that never answered for STALE_SECONDS (its process died) is taken over."""
    rt, place, proposal_id = await a_proposal(client)
    await sign_in(client, place.phones[0])
    await client.get(f"/proposals/{proposal_id}")
    path = f"/proposals/{proposal_id}/cosign"
    keys, resident = Keys(rt.engine), str(place.residents[0])
    on_app(client, keys.claim, resident, "in-flight-key", "POST", path, int(time.time()))
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.3)
    busy = await cosign(client, proposal_id, "in-flight-key")
    assert busy.status_code == 409 and "这项操作仍在发送中" in busy.text and busy.headers["retry-after"] == "3"
    asked = await client.post(
        path,
        data={"_csrf_token": client.cookies["csrftoken"]},
        headers={"Idempotency-Key": "in-flight-key", "Accept": "application/json"},
    )
    assert asked.status_code == 409 and asked.json()["detail"] == "这项操作仍在发送中，请稍候再查看。"
    assert count_topic(rt, Proposal.CoSigned) == 0
    on_app(client, keys.claim, resident, "dead-key", "POST", path, int(time.time()) - STALE_SECONDS - 1)
    taken_over = await cosign(client, proposal_id, "dead-key")
    assert taken_over.status_code == 200 and count_topic(rt, Proposal.CoSigned) == 1


async def test_keys_older_than_a_week_are_dropped(client):
    rt, place, _ = await a_proposal(client, residents=1)
    await sign_in(client, place.phones[0])
    before = count_topic(rt, Proposal.Submitted)
    first = await propose(client, "a-week-ago")
    same_answer(first, await propose(client, "a-week-ago"))
    on_app(client, backdated, rt, KEEP_SECONDS + 24 * 3600)  # as if sent eight days ago
    idempotency._cleaned["at"] = 0.0  # this process's hourly cleanup is due
    await propose(client, "sent-today")  # any keyed request drops the expired keys
    assert kept_keys(client) == 1
    again = await propose(client, "a-week-ago")
    assert again.status_code == 303 and "idempotent-replay" not in again.headers
    assert count_topic(rt, Proposal.Submitted) == before + 3


def test_concurrent_repeats_from_threads_run_once(settings):
    """Two tabs and Background Sync send the same queued proposal (with its photo) at once, on one live app."""
    with TestClient(app=create_app(settings), base_url="http://testserver.local") as client:
        client.follow_redirects = False
        rt = client.app.state.runtime
        place = client.blocking_portal.call(lambda: community(rt, NOW, residents=1))
        client.get("/signin")
        signed = client.post(
            "/signin",
            data={"phone": place.phones[0], "password": PASSWORD, "_csrf_token": client.cookies["csrftoken"]},
        )
        assert signed.status_code == 303
        client.get("/proposals/new")
        token = client.cookies["csrftoken"]

        def send(_: int) -> Any:
            return client.post(
                "/proposals/new",
                data={**PROPOSAL, "_csrf_token": token},
                files=[("photos", ("lamp.png", png(), "image/png"))],
                headers={"Idempotency-Key": "raced-by-tabs"},
            )

        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(send, range(8)))
        assert count_topic(rt, Proposal.Submitted) == 1
        # One ran; each repeat got its answer, or (on a slow machine) was told to send it again a little later.
        ran = [a for a in answers if a.status_code != 409 and "idempotent-replay" not in a.headers]
        assert len(ran) == 1 and ran[0].status_code == 303, [(a.status_code, dict(a.headers)) for a in answers]
        for answer in answers:
            if answer is not ran[0] and answer.status_code != 409:
                same_answer(ran[0], answer)
            elif answer.status_code == 409:
                assert answer.headers["retry-after"] == "3"
