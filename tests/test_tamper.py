"""Issue 24's hardest cases, with the real stores through HTTP: history rewritten with the chain's links and the
Merkle tree recomputed over it (so the chain alone says "OK"), and then a new checkpoint signed over the rewritten
tree with the log's own key. The printed notice's proof, the witness and today's consistency proof each catch it,
and say the record was rewritten. (Altered, deleted and reordered events are caught by the chain and the server's
own check: tests/test_projections.py, tests/test_record_watch.py.)"""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from html import unescape
from uuid import uuid4

from backend.kernel import merkle, proofs
from backend.kernel.context import Ctx
from backend.record import commands
from backend.record.domain.log import DEPLOYMENT
from backend.record.witness import verifier, witness_once
from projections.chain import queries as chain
from projections.disclosure import queries as views
from tests.conftest import NOW
from tests.factories import app_runtime
from tests.test_disclosure import published, setup
from tests.test_projections import tamper
from tests.test_proofs import in_app, round_in_app
from tests.test_witness import log_key, signed

WITNESS = "和平街道"


async def test_a_rewrite_with_recomputed_links_and_a_new_signed_checkpoint_is_caught_and_named(
    client, settings, tmp_path
):
    rt = app_runtime(client)
    place = await setup(rt)
    notice_id = await published(rt, place)
    await signed(client, NOW)
    folder = tmp_path / "witness"
    await commands.add_witness(rt, Ctx(DEPLOYMENT, None, NOW), verifier(folder, WITNESS))
    assert (await witness_once(client, folder, WITNESS, log_key(client), 1_780_000_000))[0]
    await rt.projector.wait_for(rt.event_count(), timeout=10)
    page = (await client.get(f"/board/notices/{notice_id}/print")).text
    printed = proofs.parse(unescape(re.search(r'<pre class="proof-text">(.*?)</pre>', page, re.S).group(1)))
    position = (await in_app(client, views.versions, notice_id))[-1]["position"]
    assert printed.position == position

    # The notice's event is changed in the store, and the chain and the tree are made again over the changed log.
    tamper(settings, position)
    await in_app(client, rt.projector.reset, ["chain", "merkle"])
    rt.projector.poke()
    await rt.projector.wait_for(rt.event_count(), timeout=20)
    verdict = await in_app(client, chain.verify, rt.store)
    assert verdict.ok, "with its links recomputed, the chain alone no longer tells"

    # The printed proof, still signed and witnessed, tells: the record no longer contains it.
    answer = await client.get("/verify", params={"proof": proofs.compact(printed)})
    assert answer.status_code == 409 and "记录中已经没有它：记录被改写过" in unescape(answer.text)

    # Whoever holds the log's key signs a checkpoint over the rewritten tree: the witness refuses to cosign it,
    # and no consistency proof leads from the printed tree to it (the check the verifier page makes online).
    assert await round_in_app(client, NOW + timedelta(minutes=6))
    ok, why = await witness_once(client, folder, WITNESS, log_key(client), 1_780_000_400)
    assert not ok and "rewritten" in why, why
    today = (await client.get("/checkpoint")).text.split("\n")
    size2, root2 = int(today[1]), base64.b64decode(today[2])
    printed_verdict = proofs.verify(printed, log_key(client), [])
    assert printed_verdict.ok, "the printout's own proof stays valid: it is what was published"
    step = (await client.get(f"/proof/consistency?size1={printed_verdict.size}&size2={size2}")).json()
    hashes = [base64.b64decode(h) for h in step["proof"]]
    assert not merkle.verify_consistency(printed_verdict.size, size2, printed_verdict.root, root2, hashes)


async def test_an_event_added_behind_the_applications_back_is_named_by_linli_verify(
    quiet, settings, monkeypatch, capsys
):
    """The chain and the tree take in an event appended to the log like any other; the commands' seals do not:
    `linli verify` names the event no command wrote, and a command's record whose seal does not hold."""
    from backend.kernel.context import CommandRecord
    from backend.record.domain.log import TransparencyLog
    from tests.factories import community
    from tests.test_projections import _run_cli

    await community(quiet, NOW, residents=3, passwords=False)
    monkeypatch.setenv("LINLI_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LINLI_SECRET", settings.secret)
    if settings.is_postgres:
        monkeypatch.setenv("LINLI_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("LINLI_PG_SCHEMA", settings.pg_schema)
    assert await _run_cli(["verify"]) == 0, capsys.readouterr().out
    assert capsys.readouterr().out.startswith("OK: ")

    # Saved straight into the store, as someone with the database's password would write it: no command, no seal.
    forged = TransparencyLog.open(Ctx(DEPLOYMENT, None, NOW), "linli/forged", b"\x01" * 32)
    [recording] = quiet.store.save(forged)
    assert await _run_cli(["verify"]) == 1
    assert f"FORGED at position {recording.notification.id}: an event no command wrote" in capsys.readouterr().out

    # With a record of its own whose seal was made without the deployment's secret: the record is named too.
    fake = CommandRecord.start(CommandRecord.Recorded, Ctx(DEPLOYMENT, None, NOW), uuid4(), name="x", result={},
                               covers=[f"{forged.id}:1"], seal="00" * 32)  # fmt: skip
    [written] = quiet.store.save(fake)
    assert await _run_cli(["verify"]) == 1
    out = capsys.readouterr().out
    assert f"FORGED at position {recording.notification.id}: an event no command wrote (and 1 more)" in out
    assert written.notification.id > recording.notification.id
