"""The session store reads a session again only when its file changed, and sees at once what another process wrote
or deleted (a sign-out elsewhere counts at once)."""

from pathlib import Path

from backend.web.sessions import SessionStore


async def test_a_session_changed_or_deleted_by_another_process_is_seen_at_the_next_read(tmp_path: Path):
    here, elsewhere = SessionStore(tmp_path, create_directories=True), SessionStore(tmp_path)
    await here.set("s1", b"signed in as A", expires_in=3600)
    assert await here.get("s1") == b"signed in as A"
    assert await elsewhere.get("s1") == b"signed in as A"

    await elsewhere.set("s1", b"signed in as B", expires_in=3600)
    assert await here.get("s1") == b"signed in as B"

    await elsewhere.delete("s1")
    assert await here.get("s1") is None


async def test_writing_back_what_this_process_wrote_last_undoes_another_process_s_change(tmp_path: Path):
    """A flash added in one process and shown (taken out) in the other: the session must lose it on disk too,
    although its data is again what the first process wrote last (and would skip writing as unchanged)."""
    here, elsewhere = SessionStore(tmp_path, create_directories=True), SessionStore(tmp_path)
    await here.set("s1", b"signed in", expires_in=3600)
    await elsewhere.set("s1", b"signed in, with a flash", expires_in=3600)
    assert await here.get("s1") == b"signed in, with a flash"
    await here.set("s1", b"signed in", expires_in=3600)
    assert await SessionStore(tmp_path).get("s1") == b"signed in"


async def test_an_unchanged_session_is_not_written_again_by_either_process(tmp_path: Path):
    """Requests of one phone alternate between the web processes: none of them rewrites the unchanged session."""
    here, elsewhere = SessionStore(tmp_path, create_directories=True), SessionStore(tmp_path)
    await here.set("s1", b"signed in", expires_in=3600)
    path = Path(here._path_from_key("s1"))
    written = path.stat()
    for store in (elsewhere, here, elsewhere, here):
        assert await store.get("s1") == b"signed in"
        await store.set("s1", b"signed in", expires_in=3600)
    assert path.stat().st_mtime_ns == written.st_mtime_ns
    await elsewhere.set("s1", b"signed in, with a flash", expires_in=3600)
    assert path.stat().st_mtime_ns != written.st_mtime_ns


async def test_an_expired_session_is_gone(tmp_path: Path):
    store = SessionStore(tmp_path, create_directories=True)
    await store.set("s1", b"x", expires_in=-1)
    assert await store.get("s1") is None
    assert await SessionStore(tmp_path).get("s1") is None


async def test_every_response_to_a_signed_in_resident_renews_the_same_session_cookie(client):
    from tests.conftest import NOW
    from tests.factories import app_runtime, community, sign_in

    place = await community(app_runtime(client), NOW, residents=1)
    await sign_in(client, place.phones[0])
    session_id = client.cookies.get("linli_session")
    for _ in range(2):
        response = await client.get("/proposals")
        cookie = next(v for v in response.headers.get_list("set-cookie") if v.startswith("linli_session="))
        assert cookie.startswith(f"linli_session={session_id};")
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert {"httponly", "samesite", "max-age", "path"} <= attributes


async def test_signing_out_everywhere_through_another_process_counts_at_the_next_request(tmp_path: Path):
    from backend.web.auth import sessions_valid_from, sign_out_everywhere
    from backend.web.sessions import StampedFileStore

    here, elsewhere = StampedFileStore(tmp_path, create_directories=True), StampedFileStore(tmp_path)
    assert await sessions_valid_from(here, "r1") == 0.0  # read, and remembered
    await sign_out_everywhere(elsewhere, "r1")
    assert await sessions_valid_from(here, "r1") > 0.0
