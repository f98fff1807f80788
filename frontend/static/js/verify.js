// The proof a notice's QR code carries (after the '#', which the browser never sends) is checked here, in the
// phone's browser, offline too: SHA-256 and Ed25519 by WebCrypto, the Merkle inclusion step by step as RFC 9162
// §2.1.3.2 says, the signatures as c2sp.org/signed-note and tlog-cosignature say. The keys believed are those on this
// page (kept by the service worker); no answer of the server is trusted. Online, today's checkpoint and a consistency
// proof from the printed tree to it are fetched and checked here as well: a rewritten record fails that check.
// The compact form read here is written by backend/kernel/proofs.py (`compact`).
(function () {
  "use strict";
  const box = document.getElementById("proof-verdict");
  if (!box) return;
  const T = JSON.parse(box.dataset.texts || "{}");
  const fill = (text, vars) => text.replace(/\{(\w+)\}/g, (_, k) => String(vars[k]));
  const say = (id, text) => { document.getElementById(id).textContent = text; };
  const verdict = (ok) => { box.classList.remove("verdict-ok", "verdict-bad"); box.classList.add(ok ? "verdict-ok" : "verdict-bad"); };

  const utf8 = new TextEncoder();
  const bytes = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  const unb64 = (text) => bytes(atob(text));
  const unb64url = (text) => { let t = text.replace(/-/g, "+").replace(/_/g, "/"); while (t.length % 4) t += "="; return unb64(t); };
  const b64 = (data) => btoa(Array.from(data, (b) => String.fromCharCode(b)).join(""));
  const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  const half = (n) => Math.floor(n / 2);  // not n >> 1: JavaScript's shifts cut numbers to 32 bits
  const odd = (n) => n % 2 === 1;
  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }
  const sha256 = async (...parts) => new Uint8Array(await crypto.subtle.digest("SHA-256", concat(...parts)));
  const nodeHash = (left, right) => sha256(Uint8Array.of(1), left, right);

  function reader(data) {
    let at = 0;
    return {
      take(n) { if (at + n > data.length) throw new Error("short"); at += n; return data.subarray(at - n, at); },
      byte() { return this.take(1)[0]; },
      varint() {
        let n = 0, scale = 1;
        for (;;) {
          const b = this.byte();
          n += (b & 0x7f) * scale;
          if (!(b & 0x80)) return n;
          scale *= 128;
          if (scale > 2 ** 49) throw new Error("number too long");
        }
      },
      text() { return new TextDecoder("utf-8", { fatal: true }).decode(this.take(this.byte())); },
    };
  }

  function parseCompact(text) {
    const read = reader(unb64url(text));
    if (read.byte() !== 1) throw new Error("version");
    const proof = { position: read.varint(), index: read.varint(), size: read.varint(), leaf: read.take(32) };
    const count = read.byte();
    proof.hashes = Array.from({ length: count }, () => read.take(32));
    proof.origin = read.text();
    const signatures = read.byte();
    proof.signatures = Array.from({ length: signatures }, () => ({ name: read.text(), raw: read.take(read.byte()) }));
    return proof;
  }

  async function inclusionRoot(index, size, leaf, hashes) {
    if (!(index >= 0 && index < size)) return null;
    let fn = index, sn = size - 1, r = leaf;
    for (const p of hashes) {
      if (sn === 0) return null;
      if (odd(fn) || fn === sn) {
        r = await nodeHash(p, r);
        if (!odd(fn)) while (!(odd(fn) || fn === 0)) { fn = half(fn); sn = half(sn); }
      } else {
        r = await nodeHash(r, p);
      }
      fn = half(fn); sn = half(sn);
    }
    return sn === 0 ? r : null;
  }

  async function consistent(size1, size2, root1, root2, hashes) {
    if (size1 === size2) return hashes.length === 0 && equal(root1, root2);
    if (size1 === 0) return hashes.length === 0;
    if (!hashes.length || size1 > size2) return false;
    let m = size1;
    while (m % 2 === 0) m = half(m);
    const path = m === 1 ? [root1, ...hashes] : [...hashes];  // a power of two: the old root is a node of the new tree
    let fn = size1 - 1, sn = size2 - 1;
    while (odd(fn)) { fn = half(fn); sn = half(sn); }
    let fr = path[0], sr = path[0];
    for (const c of path.slice(1)) {
      if (sn === 0) return false;
      if (odd(fn) || fn === sn) {
        fr = await nodeHash(c, fr); sr = await nodeHash(c, sr);
        if (!odd(fn)) while (!(odd(fn) || fn === 0)) { fn = half(fn); sn = half(sn); }
      } else {
        sr = await nodeHash(sr, c);
      }
      fn = half(fn); sn = half(sn);
    }
    return equal(fr, root1) && equal(sr, root2) && sn === 0;
  }

  function parseKey(text) {  // a signed-note verifier key: name+keyid(hex)+base64(algorithm ‖ key)
    const first = text.indexOf("+"), second = text.indexOf("+", first + 1);
    const raw = unb64(text.slice(second + 1));
    return { name: text.slice(0, first), algorithm: raw[0], key: raw.subarray(1) };
  }
  async function keyId(key) {
    return (await sha256(utf8.encode(key.name + "\n"), Uint8Array.of(key.algorithm), key.key)).subarray(0, 4);
  }
  async function ed25519(publicKey, signature, message) {
    const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    return crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
  }
  async function signedBy(signatures, key, body) {  // the log's own signature (algorithm 1): key id ‖ 64 bytes
    const id = await keyId(key);
    for (const s of signatures) {
      if (s.name === key.name && s.raw.length === 68 && equal(s.raw.subarray(0, 4), id)) {
        return ed25519(key.key, s.raw.subarray(4), utf8.encode(body));
      }
    }
    return false;
  }
  async function cosignedAt(signatures, key, body) {  // a witness's (algorithm 4): key id ‖ time (8 bytes) ‖ 64 bytes
    const id = await keyId(key);
    for (const s of signatures) {
      if (s.name === key.name && s.raw.length === 76 && equal(s.raw.subarray(0, 4), id)) {
        const time = s.raw.subarray(4, 12).reduce((n, b) => n * 256 + b, 0);
        const message = utf8.encode("cosignature/v1\ntime " + time + "\n" + body);
        return (await ed25519(key.key, s.raw.subarray(12), message)) ? time : null;
      }
    }
    return null;
  }
  function when(seconds) {
    const d = new Date(seconds * 1000), two = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " + two(d.getHours()) + ":" + two(d.getMinutes());
  }

  // Online only: today's checkpoint, signed by the same key, must extend the printed tree (a consistency proof).
  async function checkToday(log, size, root) {
    const note = await (await fetch("/checkpoint", { cache: "no-store" })).text();
    const body = note.slice(0, note.indexOf("\n\n") + 1);
    const signatures = note.slice(body.length + 1).split("\n").filter((l) => l.startsWith("\u2014 ")).map((l) => {
      const rest = l.slice(2), space = rest.lastIndexOf(" ");
      return { name: rest.slice(0, space), raw: unb64(rest.slice(space + 1)) };
    });
    const [origin, size2text, root2text] = body.split("\n");
    const size2 = Number(size2text), root2 = unb64(root2text);
    if (origin !== log.name || !(await signedBy(signatures, log, body))) return null;  // not the record's: say nothing
    if (size2 < size) return { ok: false };
    const answer = await fetch("/proof/consistency?size1=" + size + "&size2=" + size2, { cache: "no-store" });
    if (!answer.ok) return { ok: false };
    const proof = await answer.json();
    const ok = await consistent(size, size2, root, root2, proof.proof.map(unb64));
    return { ok, size: size2 };
  }

  async function check() {
    const text = location.hash.slice(1);
    if (!text) return;
    delete box.dataset.checked;
    delete box.dataset.online;
    ["proof-witnesses", "proof-online"].forEach((id) => say(id, ""));
    if (!box.dataset.logKey) { verdict(false); say("proof-result", T.nokey); return; }
    if (!(window.crypto && crypto.subtle)) { verdict(false); say("proof-result", T.nocrypto); return; }
    let proof, root;
    try {
      proof = parseCompact(text);
      root = await inclusionRoot(proof.index, proof.size, proof.leaf, proof.hashes);
    } catch (e) { root = null; }
    if (!root) { verdict(false); box.dataset.checked = "refused"; say("proof-result", T.malformed); return; }
    const log = parseKey(box.dataset.logKey);
    const body = proof.origin + "\n" + proof.size + "\n" + b64(root) + "\n";
    let signed;
    try { signed = proof.origin === log.name && (await signedBy(proof.signatures, log, body)); } catch (e) {
      verdict(false); say("proof-result", T.nocrypto); return;
    }
    if (!signed) { verdict(false); box.dataset.checked = "refused"; say("proof-result", T.unsigned); return; }
    verdict(true);
    say("proof-result", fill(T.valid, { position: proof.position, size: proof.size }));
    const seen = [];
    for (const text of (box.dataset.witnesses || "").split(" ").filter(Boolean)) {
      const key = parseKey(text), at = await cosignedAt(proof.signatures, key, body);
      if (at !== null) seen.push(fill(T.witnessed, { name: key.name, when: when(at) }));
    }
    say("proof-witnesses", seen.length ? seen.join(" ") : T.unwitnessed);
    box.dataset.checked = seen.length ? "witnessed" : "valid";
    say("proof-online", T.offline);
    if (!navigator.onLine) return;
    try {
      const today = await checkToday(log, proof.size, root);
      if (today === null) return;
      box.dataset.online = today.ok ? "same" : "rewritten";
      if (today.ok) { say("proof-online", fill(T.same, { size: today.size })); return; }
      verdict(false);
      say("proof-online", T.rewritten);
    } catch (e) { /* no network after all: the offline verdict stands */ }
  }

  check();
  window.addEventListener("hashchange", check);
})();
