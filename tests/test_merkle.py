"""The Merkle tree's hashing and proofs (backend/kernel/merkle.py): the RFC 6962 inclusion vectors of
transparency-dev/merkle (../shared/testdata/merkle-rfc6962/), and with hypothesis against a plain recursive reading
of RFC 9162 — every proof made verifies, every tampered one fails."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.kernel import merkle

VECTORS = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "merkle-rfc6962" / "inclusion"
CASES = sorted(VECTORS.rglob("*.json"))


def b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def test_the_vectors_are_there():
    assert len(CASES) >= 90 and any(json.loads(c.read_text())["wantErr"] for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: str(c.relative_to(VECTORS)))
def test_the_rfc6962_inclusion_vectors(case: Path):
    v = json.loads(case.read_text())
    proof = [b64(p) for p in v["proof"] or []]
    ok = merkle.verify_inclusion(v["leafIdx"], v["treeSize"], b64(v["leafHash"]), proof, b64(v["root"]))
    assert ok is not v["wantErr"], v.get("desc")


# -- against the RFC's recursion -----------------------------------------------------------------------------------
def mth(leaves: list[bytes]) -> bytes:
    return merkle.root_of(leaves)


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    """RFC 9162 §2.1.3.1, literally."""
    n = len(leaves)
    if n <= 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """RFC 9162 §2.1.4.1, literally."""
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*subproof(m, leaves[:k], whole), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


class Tree:
    """A tree kept as the module keeps it: its perfect subtrees, appended one leaf at a time."""

    def __init__(self) -> None:
        self.nodes: dict[merkle.Node, bytes] = {}
        self.size = 0

    def append(self, leaf: bytes) -> None:
        for node, value in merkle.appended(self.size, leaf, self.nodes.__getitem__):
            assert node not in self.nodes, "a perfect subtree, once made, is never made again"
            self.nodes[node] = value
        self.size += 1

    def hash(self, r: merkle.Range) -> bytes:
        return merkle.range_hash(*r, self.nodes.__getitem__)


def leaves_of(n: int) -> list[bytes]:
    return [merkle.leaf_hash(f"event {i}".encode()) for i in range(n)]


def grown(n: int) -> Tree:
    tree = Tree()
    for leaf in leaves_of(n):
        tree.append(leaf)
    return tree


@given(st.integers(min_value=1, max_value=300), st.data())
@settings(max_examples=150, deadline=None)
def test_inclusion_proofs_from_stored_nodes_are_the_rfcs_and_verify(n, data):
    leaves, tree = leaves_of(n), grown(n)
    size = data.draw(st.integers(min_value=1, max_value=n), label="size")
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="index")
    assert tree.hash((0, size)) == mth(leaves[:size]), "the root of every earlier size, from the nodes kept"
    proof = [tree.hash(r) for r in merkle.inclusion_ranges(index, size)]
    assert proof == path(index, leaves[:size])
    root = mth(leaves[:size])
    assert merkle.verify_inclusion(index, size, leaves[index], proof, root)
    assert len(tree.nodes) < 2 * n


@given(st.integers(min_value=1, max_value=300), st.data())
@settings(max_examples=150, deadline=None)
def test_consistency_proofs_from_stored_nodes_are_the_rfcs_and_verify(n, data):
    leaves, tree = leaves_of(n), grown(n)
    size2 = data.draw(st.integers(min_value=1, max_value=n), label="size2")
    size1 = data.draw(st.integers(min_value=0, max_value=size2), label="size1")
    proof = [tree.hash(r) for r in merkle.consistency_ranges(size1, size2)]
    expected = [] if size1 == 0 else subproof(size1, leaves[:size2], True)
    assert proof == expected
    assert merkle.verify_consistency(size1, size2, mth(leaves[:size1]), mth(leaves[:size2]), proof)


@given(st.integers(min_value=2, max_value=200), st.data())
@settings(max_examples=200, deadline=None)
def test_every_tampered_inclusion_proof_fails(n, data):
    leaves = leaves_of(n)
    index = data.draw(st.integers(min_value=0, max_value=n - 1))
    proof, root = path(index, leaves), mth(leaves)
    # Not the tree size: a proof does not bind it (for leaf 0 of 17 or of 18 every sibling is on the right); the
    # signed checkpoint does. The vectors' treeSize cases are those where it changes the path.
    how = data.draw(st.sampled_from(["bit", "drop", "extra", "index", "leaf", "root", "swap"]))
    leaf = leaves[index]
    if how == "bit" and proof:
        at = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        proof[at] = bytes([proof[at][0] ^ 1]) + proof[at][1:]
    elif how == "drop" and proof:
        proof.pop(data.draw(st.integers(min_value=0, max_value=len(proof) - 1)))
    elif how == "extra":
        proof.insert(data.draw(st.integers(min_value=0, max_value=len(proof))), leaves[0])
    elif how == "index":
        index = data.draw(st.integers(min_value=0, max_value=n - 1).filter(lambda i: i != index))
    elif how == "leaf":
        leaf = merkle.leaf_hash(b"forged")
    elif how == "root":
        root = merkle.leaf_hash(b"another root")
    elif how == "swap" and len(proof) > 1 and proof[0] != proof[1]:
        proof[0], proof[1] = proof[1], proof[0]
    else:
        return  # nothing to tamper with in this shape
    if how == "index" and path(index, leaves) == proof and leaves[index] == leaf:
        return
    assert not merkle.verify_inclusion(index, n, leaf, proof, root), how


@given(st.integers(min_value=2, max_value=200), st.data())
@settings(max_examples=200, deadline=None)
def test_every_tampered_consistency_proof_fails(n, data):
    leaves = leaves_of(n)
    size1 = data.draw(st.integers(min_value=1, max_value=n - 1))
    proof = subproof(size1, leaves, True)
    root1, root2 = mth(leaves[:size1]), mth(leaves)
    how = data.draw(st.sampled_from(["bit", "drop", "extra", "root1", "root2", "rewritten"]))
    if how == "bit":
        at = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        proof[at] = bytes([proof[at][0] ^ 0x80]) + proof[at][1:]
    elif how == "drop":
        proof.pop(data.draw(st.integers(min_value=0, max_value=len(proof) - 1)))
    elif how == "extra":
        proof.append(leaves[0])
    elif how == "root1":
        root1 = merkle.leaf_hash(b"forged")
    elif how == "root2":
        root2 = merkle.leaf_hash(b"forged")
    else:  # an old leaf rewritten: the new tree's root and proof are honest for the rewritten log
        at = data.draw(st.integers(min_value=0, max_value=size1 - 1))
        rewritten = [*leaves[:at], merkle.leaf_hash(b"rewritten"), *leaves[at + 1 :]]
        proof, root2 = subproof(size1, rewritten, True), mth(rewritten)
    assert not merkle.verify_consistency(size1, n, root1, root2, proof), how


def test_edges():
    one = merkle.leaf_hash(b"x")
    assert merkle.root_of([]) == merkle.EMPTY_ROOT == merkle.fold([])
    assert merkle.verify_inclusion(0, 1, one, [], one)
    assert not merkle.verify_inclusion(1, 1, one, [], one)
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, one, [])
    assert merkle.verify_consistency(3, 3, one, one, []) and not merkle.verify_consistency(3, 3, one, one, [one])
    assert not merkle.verify_consistency(4, 3, one, one, [])
    assert merkle.parts(0, 13) == [(3, 0), (2, 2), (0, 12)]
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(5, 5)


def test_linli_proof_check_says_why_and_exits_0_or_1(capsys, tmp_path):
    from backend.cli import main

    for case in CASES:
        want_err = json.loads(case.read_text())["wantErr"]
        assert main(["proof", "check", str(case)]) == (1 if want_err else 0), case
        line = capsys.readouterr().out
        assert line.count("\n") == 1 and line.startswith("not valid" if want_err else "valid"), line
    leaves = leaves_of(11)
    consistency = {
        "size1": 6,
        "size2": 11,
        "root1": base64.b64encode(mth(leaves[:6])).decode(),
        "root2": base64.b64encode(mth(leaves)).decode(),
        "proof": [base64.b64encode(h).decode() for h in subproof(6, leaves, True)],
    }
    good = tmp_path / "consistency.json"
    good.write_text(json.dumps(consistency))
    assert main(["proof", "check", str(good)]) == 0 and "prefix" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**consistency, "size1": 7}))
    assert main(["proof", "check", str(bad)]) == 1 and capsys.readouterr().out.startswith("not valid")
    bad.write_text("[1, 2]")
    assert main(["proof", "check", str(bad)]) == 1 and capsys.readouterr().out.startswith("not a proof")
    bad.write_text(json.dumps({"leafIdx": 0, "treeSize": 1, "root": "%%", "leafHash": "", "proof": []}))
    assert main(["proof", "check", str(bad)]) == 1 and capsys.readouterr().out.startswith("not a proof")
