"""Proofs that travel (issue 24, step 4): a notice's proof — its event's inclusion in a signed, witnessed tree — in
the C2SP tlog-proof text and in the compact form its QR code carries; checked offline (backend/kernel/proofs.py,
`linli verify --proof`), on the verifier page, and by /verify, which tells a record rewritten since the printout
from a proof mistyped or forged. Pure properties with hypothesis; the rest with the real stores, through HTTP."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import anyio
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.cli import main as linli
from backend.kernel import merkle, notes, proofs
from backend.kernel.context import Ctx
from backend.record import commands
from backend.record.domain.log import DEPLOYMENT
from backend.record.rounds import sign_checkpoints
from backend.record.witness import verifier, witness_once
from projections.chain import keys
from projections.disclosure import queries as views
from tests.conftest import NOW
from tests.factories import app_runtime
from tests.test_disclosure import published, setup
from tests.test_projections import tamper
from tests.test_witness import log_key, signed

LOG = Ed25519PrivateKey.from_private_bytes(b"\x11" * 32)
WITNESS = Ed25519PrivateKey.from_private_bytes(b"\x22" * 32)
ORIGIN = "linli/test"
WITNESS_NAME = "和平街道"
LOG_KEY = notes.verifier_key(ORIGIN, notes.public_bytes(LOG.public_key()))
WITNESS_KEY = notes.verifier_key(WITNESS_NAME, notes.public_bytes(WITNESS.public_key()), notes.COSIGNATURE_V1)


def made(size: int, index: int, witnessed: bool = True) -> proofs.Proof:
    """A proof of leaf `index` in a tree of `size` leaves, signed by LOG and (if `witnessed`) cosigned by WITNESS."""
    leaves = [merkle.leaf_hash(f"event {i}".encode()) for i in range(size)]
    hashes = tuple(merkle.root_of(leaves[s:e]) for s, e in merkle.inclusion_ranges(index, size))
    note = notes.sign(notes.checkpoint_body(ORIGIN, size, merkle.root_of(leaves)), ORIGIN, LOG)
    if witnessed:
        note += notes.cosignature_line(note, WITNESS_NAME, WITNESS, 1_780_000_000)
    return proofs.Proof(index + 7, leaves[index], index, hashes, note)


trees = st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1)))


@settings(max_examples=60, deadline=None)
@given(trees)
def test_both_forms_of_a_proof_carry_the_same_proof_and_it_verifies(tree):
    proof = made(*tree)
    assert proofs.parse(proofs.to_text(proof)) == proof
    assert proofs.from_compact(proofs.compact(proof)) == proof
    verdict = proofs.verify(proof, LOG_KEY, [WITNESS_KEY])
    assert verdict.ok and verdict.size == tree[0] and verdict.witnesses == ((WITNESS_NAME, 1_780_000_000),)
    assert proofs.verify(made(*tree, witnessed=False), LOG_KEY, [WITNESS_KEY]).witnesses == ()


@settings(max_examples=200, deadline=None)
@given(trees, st.data())
def test_a_compact_proof_with_any_byte_changed_no_longer_proves_the_same(tree, data):
    """Whatever byte of the QR's proof changes, it is refused, or it proves less (a witness lost), or only the
    position it names changed (a hint for the reader: what is proven is the leaf at its index)."""
    proof = made(*tree)
    raw = bytearray(proofs.b64url_decode(proofs.compact(proof)))
    at = data.draw(st.integers(0, len(raw) - 1))
    raw[at] ^= data.draw(st.integers(1, 255))
    try:
        changed = proofs.from_compact(proofs.b64url_encode(bytes(raw)))
    except ValueError:
        return
    verdict = proofs.verify(changed, LOG_KEY, [WITNESS_KEY])
    same = (changed.leaf, changed.index, verdict.size) == (proof.leaf, proof.index, tree[0])
    assert not verdict.ok or not same or not verdict.witnesses or changed.position != proof.position


def test_a_proof_under_another_key_or_log_is_refused_with_a_reason():
    proof = made(40, 17)
    other = notes.verifier_key(ORIGIN, b"\x07" * 32)
    assert "not signed by this log's key" in proofs.verify(proof, other, []).message
    elsewhere = notes.verifier_key("linli/elsewhere", notes.public_bytes(LOG.public_key()))
    assert "another log" in proofs.verify(proof, elsewhere, []).message
    moved = proofs.Proof(proof.position, proof.leaf, proof.index + 1, proof.hashes, proof.checkpoint)
    assert "not in the signed tree" in proofs.verify(moved, LOG_KEY, []).message
    for text in ("", "c2sp.org/tlog-proof@v1\nindex 1\n\nx", proofs.to_text(proof).replace("index ", "idx ")):
        with pytest.raises(ValueError):
            proofs.parse(text)
    with pytest.raises(ValueError):
        proofs.from_compact("AAAA")


async def in_app(client, fn, *args):
    """`fn(*args)` in the app's own event loop (on PostgreSQL the views' connections belong to it)."""
    return await anyio.to_thread.run_sync(client.blocking_portal.call, fn, *args)


async def round_in_app(client, now):
    rt = app_runtime(client)
    await rt.projector.wait_for(rt.event_count(), timeout=10)
    size = await in_app(client, sign_checkpoints, rt, now)
    await rt.projector.wait_for(rt.event_count(), timeout=10)
    return size


async def test_a_printed_notice_carries_its_witnessed_proof_which_tells_a_rewrite_from_a_typo(
    client, settings, tmp_path, capsys
):
    rt = app_runtime(client)
    place = await setup(rt)
    first = await published(rt, place)
    assert await signed(client, NOW)
    folder = tmp_path / "witness"
    await commands.add_witness(rt, Ctx(DEPLOYMENT, None, NOW), verifier(folder, WITNESS_NAME))
    assert (await witness_once(client, folder, WITNESS_NAME, log_key(client), 1_780_000_000))[0]

    # A notice published within CHECKPOINT_MINUTES of the last checkpoint is signed into one at the next round.
    notice_id = await published(rt, place, "第二号公示", NOW + timedelta(minutes=1))
    assert await round_in_app(client, NOW + timedelta(minutes=1)), "a publication calls for a checkpoint"
    assert await round_in_app(client, NOW + timedelta(minutes=2)) is None, "nothing published since: none"
    assert (await witness_once(client, folder, WITNESS_NAME, log_key(client), 1_780_000_060))[0]
    await rt.projector.wait_for(rt.event_count(), timeout=10)

    page = (await client.get(f"/board/notices/{notice_id}/print")).text
    text = unescape(re.search(r'<pre class="proof-text">(.*?)</pre>', page, re.S).group(1))
    proof = proofs.parse(text)
    position = (await in_app(client, views.versions, notice_id))[-1]["position"]
    assert proof.position == position and log_key(client) in page and "和平街道" in page
    witnesses = [w["verifier"] for w in await in_app(client, keys.witness_keys)]
    verdict = proofs.verify(proof, log_key(client), witnesses)
    assert verdict.ok and [name for name, _ in verdict.witnesses] == [WITNESS_NAME], verdict

    offline = tmp_path / "notice.tlog-proof"
    offline.write_text(text)
    args = ["verify", "--proof", str(offline), "--log-key", log_key(client), "--witness", witnesses[0]]
    assert linli(args) == 0 and "witnessed by 和平街道" in capsys.readouterr().out
    offline.write_text(text.replace(proofs.to_text(proof).split("\n")[3], "A" * 43 + "=", 1))
    assert linli(args) == 1 and "not" in capsys.readouterr().out

    verifier_page = await client.get("/verify/proof")
    assert verifier_page.status_code == 200 and log_key(client) in verifier_page.text
    assert witnesses[0] in verifier_page.text and "verify.js" in verifier_page.text

    answer = await client.get("/verify", params={"proof": proofs.compact(proof)})
    assert answer.status_code == 200 and "由 和平街道 于" in unescape(answer.text)
    good = proofs.compact(proof)
    typo = good[:20] + ("B" if good[20] != "B" else "C") + good[21:]  # a character of the leaf's hash mistyped
    answer = await client.get("/verify", params={"proof": typo})
    assert answer.status_code in (409, 422) and "改写" not in answer.text
    missing = await client.get("/verify", params={"head": "ab" * 32})
    assert missing.status_code == 404 and "可能被改写过" in missing.text, "a head not found may be either: say so"

    # The record is rewritten under the printed notice: its proof, still signed, tells it.
    tamper(settings, position)
    answer = await client.get("/verify", params={"proof": proofs.compact(proof)})
    assert answer.status_code == 409 and "记录中已经没有它：记录被改写过" in unescape(answer.text)
    assert first
