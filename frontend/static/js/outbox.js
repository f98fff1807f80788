// The offline outbox (issue 23 item 5, DESIGN 7). An action taken offline (co-sign, propose, sign up or cancel, book,
// object, take an offered seat, check in, raise a case: the forms marked data-outbox, frontend/templates/_outbox.html)
// waits here, in IndexedDB, with an idempotency key, and is sent when the phone is online again: by the page (on
// `online` and on every page load) or by the service worker (Background Sync, tag "linli-outbox"; sw.js imports this
// file). Every send carries the item's own key, so a repeat is harmless: the server answers it with its first answer.
// An item goes only after a definite answer (2xx–4xx); what the server did or refused is kept in a short list of
// results, said once as a status line on the next page and listed on /me/outbox. Online, htmx forms carry a key too
// (a hook below), and plain forms get theirs from the service worker, which also catches a send that fails midway.
// The words come from the server (data-outbox-words, translated there), remembered for pages that have none.
(function (scope) {
  "use strict";
  var NAME = "linli-outbox";
  var KEEP_RESULTS = 20;
  var opened = null;
  var onChange = null;
  var channel = scope.BroadcastChannel ? new BroadcastChannel(NAME) : null;  // other tabs and the service worker

  function db() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        var request = indexedDB.open(NAME, 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore("items", { keyPath: "key" });
          request.result.createObjectStore("results", { keyPath: "key" });
        };
        request.onsuccess = function () {
          var d = request.result;
          d.onversionchange = function () { d.close(); opened = null; };  // signed out: js/app.js deletes the database
          resolve(d);
        };
        request.onerror = function () { opened = null; reject(request.error); };
      });
    }
    return opened;
  }
  function run(store, mode, act) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(store, mode), r = act(t.objectStore(store));
        t.oncomplete = function () { resolve(r.result); };
        t.onerror = t.onabort = function () { reject(t.error); };
      });
    });
  }
  function all(store) {
    return run(store, "readonly", function (s) { return s.getAll(); })
      .then(function (rows) { return rows.sort(function (a, b) { return a.time - b.time; }); });
  }
  function put(store, row) { return run(store, "readwrite", function (s) { return s.put(row); }); }
  function drop(store, key) { return run(store, "readwrite", function (s) { return s.delete(key); }); }
  function clear() {
    return Promise.all(["items", "results"].map(function (store) {
      return run(store, "readwrite", function (s) { return s.clear(); });
    })).then(changed);
  }
  function changed() {
    if (channel) { channel.postMessage("changed"); }
    if (onChange) { onChange(); }
  }

  function uuid() {
    if (scope.crypto.randomUUID) { return scope.crypto.randomUUID(); }
    var b = scope.crypto.getRandomValues(new Uint8Array(16)), h = "";
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    for (var i = 0; i < 16; i++) { h += (b[i] + 256).toString(16).slice(1); }
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function path(url) { var u = new URL(url, scope.location.href); return u.pathname + u.search; }

  // An item: where to post, the fields as they were (files as Blobs), its key, what it is, the page it came from.
  // `extra`: fields set only when queued (a sign-up also takes the waitlist: the seat may be gone when it arrives).
  // `who`: the person signed in when it was queued (an opaque mark the page carries, backend.web.auth.User.outbox_owner):
  // on a shared phone whose session ended without signing out, it is never sent as whoever signs in next.
  function item(data, url, label, extra, multipart, page, key, who) {
    if (extra) { new URLSearchParams(extra).forEach(function (v, k) { data.set(k, v); }); }
    var fields = [];
    data.forEach(function (value, name) { if (name.indexOf("_outbox") !== 0) { fields.push([name, value]); } });
    return { key: key || uuid(), url: path(url), multipart: multipart, fields: fields, label: label, page: path(page),
             time: Date.now(), who: who || "" };
  }

  // -- sending ---------------------------------------------------------------------------------------------------
  function post(entry, token) {
    var body = entry.multipart ? new FormData() : new URLSearchParams(), headers = { "Idempotency-Key": entry.key };
    entry.fields.forEach(function (f) {
      var value = f[0] === "_csrf_token" && token ? token : f[1];
      body.append(f[0], value);
      if (f[0] === "_csrf_token") { headers["x-csrftoken"] = value; }
    });
    return fetch(entry.url, { method: "POST", body: body, headers: headers, credentials: "same-origin" });
  }
  // Before sending: this session's CSRF token now (the browser may have dropped the cookie the stored forms' tokens
  // were made from; the header wins over the stored field), and whether anyone is signed in (else nothing goes: it
  // would be sent as no one). Throws offline.
  function session() {
    return fetch("/me/csrf", { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (!r.ok) { throw new Error("outbox: no session"); }
      return r.json();
    });
  }
  function plain(html) {
    var named = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'", nbsp: " " };
    return html.replace(/<[^>]+>/g, " ").replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, function (m, e) {
      if (e[0] !== "#") { return named[e.toLowerCase()] || m; }
      return String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    }).replace(/\s+/g, " ").trim();
  }
  // What the answer says, read from its HTML (the service worker has no DOMParser): the flash of the page a
  // success leads to, or the refusal: a form's message, an error flash (a co-sign sent as a plain form is refused so),
  // an error page's heading and text.
  var SAID_OK = [/<p class="flash [^"]*"[^>]*>([\s\S]*?)<\/p>/, /<p class="done"[^>]*>([\s\S]*?)<\/p>/];
  var SAID_NO = [/class="form-errors"[^>]*>([\s\S]*?)<\/p>/, /class="field-error"[^>]*>([\s\S]*?)<\/p>/,
                 /<main[^>]*>[\s\S]*?<h1>([\s\S]*?)<\/h1>\s*<p>([\s\S]*?)<\/p>/];
  var FLASH_NO = /<p class="flash error"[^>]*>([\s\S]*?)<\/p>/;
  function first(patterns, html) {
    for (var i = 0; i < patterns.length; i++) {
      var m = patterns[i].exec(html);
      if (m) { return plain(m.slice(1).join(" ")).slice(0, 300); }
    }
    return "";
  }
  function verdict(status, html) {
    var no = status >= 400 ? [FLASH_NO].concat(SAID_NO) : [FLASH_NO];
    var refused = first(no, html);
    if (status >= 400 || refused) { return { ok: false, said: refused }; }
    return { ok: true, said: first(SAID_OK, html) };
  }
  // The server's idempotency layer (backend/web/idempotency.py) answers 409 while the first request with the same key
  // is still running: try again later. It says so in words (kept with the item, as the page had them): a command's
  // own 409 (the shift is full, already co-signed) is a definite refusal.
  function busy(entry, response, html) {
    return response.status === 409 && !response.headers.get("Idempotent-Replay") &&
      (response.headers.has("Retry-After") || !!entry.busy && plain(html).indexOf(entry.busy) >= 0);
  }
  // One item: a result to keep (the answer was definite), or null (try again later: no network, the server failing
  // or busy with the same key, the session gone meanwhile).
  function attempt(entry, token, who) {
    if (entry.who && who && entry.who !== who) {  // queued by someone else: dropped, said as not done
      return Promise.resolve({ key: entry.key, url: entry.url, label: entry.label, page: entry.page, time: Date.now(),
                               ok: false, status: 0, said: entry.other || "", shown: false });
    }
    return post(entry, token).then(function (response) {
      return response.text().then(function (html) {
        var at = new URL(response.url || entry.url, scope.location.href).pathname;
        if (response.status >= 500 || response.status === 401 || at === "/signin" || busy(entry, response, html) ||
            (response.status === 403 && /csrf/i.test(html))) { return null; }
        var v = verdict(response.status, html);
        return { key: entry.key, url: entry.url, label: entry.label, page: entry.page, time: Date.now(), ok: v.ok,
                 status: response.status, said: v.said, shown: false };
      });
    }, function () { return null; });
  }
  function sendAll() {
    return all("items").then(function (items) {
      var stopped = false, token = null, who = "";
      if (!items.length) { return null; }
      return items.reduce(function (chain, entry) {
        return chain.then(function () {
          if (stopped) { return null; }
          return attempt(entry, token, who).then(function (result) {
            if (!result) { stopped = true; return null; }  // kept, and the ones after it: they go in order
            return put("results", result).then(function () { return drop("items", entry.key); }).then(changed);
          });
        });
      }, session().then(function (s) { token = s.token; who = s.who || ""; stopped = !s.signed_in || !token; })).then(function () {
        return all("results").then(function (results) {
          return Promise.all(results.slice(0, Math.max(0, results.length - KEEP_RESULTS)).map(function (r) {
            return drop("results", r.key);
          }));
        });
      }).then(function () { if (stopped) { throw new Error("outbox: kept for later"); } });  // Background Sync retries
    });
  }
  // One sender at a time across tabs and the service worker.
  function flush() {
    var locks = scope.navigator && scope.navigator.locks;
    if (!locks) { return sendAll(); }
    return locks.request(NAME, { ifAvailable: true }, function (lock) { return lock ? sendAll() : null; });
  }

  // A plain form's POST, in the service worker: sent with a key; when the network fails midway it is queued and the
  // phone goes back to the page it came from, which shows it as waiting (js below, on load).
  function navigate(request) {
    var copy = request.clone();
    return request.clone().formData().catch(function () { return null; }).then(function (data) {
      var label = data && data.get("_outbox");
      if (!label) { return fetch(request); }
      var key = uuid(), type = request.headers.get("content-type") || "";
      return copy.arrayBuffer().then(function (bytes) {
        return fetch(request.url, { method: "POST", body: bytes, headers: { "Content-Type": type, "Idempotency-Key": key },
                                    credentials: "same-origin", redirect: "manual" });
      }).catch(function () {
        var entry = item(data, request.url, label, data.get("_outbox_extra"), type.indexOf("multipart/") === 0,
                         request.referrer || "/me/outbox", key, data.get("_outbox_who"));
        return put("items", entry).then(changed).then(function () {
          return Response.redirect(request.referrer || "/me/outbox", 303);
        });
      });
    });
  }

  function pending() { return all("items").then(function (items) { return items.length; }); }
  scope.linliOutbox = { flush: flush, navigate: navigate, clear: clear, pending: pending };
  if (typeof document === "undefined") { return; }  // the service worker: no page to show anything on

  // -- the page ----------------------------------------------------------------------------------------------------
  var words = {}, announced = {};  // (refreshes overlap while a queue is sent: each result is said once)
  (function () {
    var el = document.querySelector("[data-outbox-words]");
    try {
      if (el) {
        words = JSON.parse(el.getAttribute("data-outbox-words"));
        localStorage.setItem(NAME, JSON.stringify(words));
      } else {
        words = JSON.parse(localStorage.getItem(NAME) || "{}");
      }
    } catch (e) {}
  })();
  function say(key, values) {
    return (words[key] || "").replace(/\{(\w+)\}/g, function (m, k) { return values && k in values ? values[k] : m; });
  }
  function owner() { return document.body.getAttribute("data-outbox-who") || ""; }
  function target(form) { return path(form.getAttribute("hx-post") || form.action); }
  function multipart(form) { return (form.getAttribute("hx-encoding") || form.enctype) === "multipart/form-data"; }
  function note(form, text, state) {
    var p = form.querySelector(".outbox-note");
    if (!p) {
      p = document.createElement("p");
      p.className = "outbox-note";
      p.setAttribute("role", "status");
      form.appendChild(p);
    }
    p.textContent = text;
    p.setAttribute("data-state", state);
    p.hidden = !text;
  }
  function hold(form, on) {
    form.setAttribute("data-outbox-state", on ? "pending" : "");
    Array.prototype.forEach.call(form.querySelectorAll("button,input,textarea,select"), function (f) {
      if (f.type === "submit" || f.tagName === "BUTTON") { f.disabled = on; } else if (f.type !== "hidden") { f.readOnly = on; }
    });
  }
  function pend(form, entry) {  // in place: the button held, what was typed kept (filled again after a reload)
    hold(form, true);
    entry.fields.forEach(function (f) {
      var field = form.elements[f[0]];
      if (field && typeof f[1] === "string" && /^(TEXTAREA|SELECT)$|^INPUT$/.test(field.tagName) &&
          !/^(hidden|file|checkbox|radio)$/.test(field.type)) { field.value = f[1]; }
    });
    var details = form.closest("details");
    if (details) { details.open = true; }
    note(form, say("pending"), "pending");
  }
  function outcome(r) {
    return say(r.ok ? "sent" : "refused", { label: r.label }) + (r.said ? " · " + r.said : "");
  }
  function count(n) {
    var a = document.getElementById("outbox-count");
    if (!a) { return; }
    a.hidden = !n;
    a.textContent = n ? say("count", { n: n }) || String(n) : "";
    if (n) { a.setAttribute("aria-label", say("count_label", { n: n }) || String(n)); } else { a.removeAttribute("aria-label"); }
  }
  function when(t) {
    return new Date(t).toLocaleString(document.documentElement.lang || "zh-CN",
      { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  function fill(list, rows, make) {
    if (!list) { return; }
    list.textContent = "";
    rows.forEach(function (r) { list.appendChild(make(r)); });
  }
  function showPage(items, results) {  // /me/outbox (frontend/templates/residents/outbox.html)
    fill(document.getElementById("outbox-items"), items, function (i) {
      var li = el("li", "", "card"), p = el("p"), a = el("a", say("open"));
      p.appendChild(el("strong", i.label));
      p.appendChild(document.createTextNode(" · " + when(i.time) + " · " + say("pending")));
      a.href = i.page;
      var b = el("button", say("withdraw"), "button");
      b.type = "button";
      b.setAttribute("data-outbox-drop", i.key);
      li.appendChild(p); li.appendChild(el("p")).appendChild(a); li.appendChild(b);
      return li;
    });
    fill(document.getElementById("outbox-results"), results.slice().reverse(), function (r) {
      var li = el("li", "", "card outbox-result " + (r.ok ? "sent" : "refused"));
      li.appendChild(el("p", outcome(r)));
      li.appendChild(el("p", when(r.time), "meta"));
      return li;
    });
    var none = document.getElementById("outbox-none");
    if (none) { none.hidden = items.length > 0; }
  }
  function announce(r) {  // a result not said yet: a status line at the top of the page, as the server's flashes
    var main = document.getElementById("main");
    if (!main) { return; }
    var p = el("p", outcome(r), "flash outbox-flash " + (r.ok ? "success" : "error"));
    p.setAttribute("role", "status");
    main.insertBefore(p, main.firstChild);
  }
  var readings = 0;  // the refreshes started: only the latest may paint the page
  function refresh() {
    var mine = ++readings;
    return Promise.all([all("items"), all("results")]).then(function (both) {
      // Refreshes overlap (a form swapped in, the outbox changed, a message from another tab) and their readings may
      // come back in another order than they started: an older reading, from before the last change, must not paint
      // over a newer one (the count would stay one behind until the next change).
      if (mine !== readings) { return; }
      var items = both[0], results = both[1], waiting = {};
      count(items.length);
      items.forEach(function (i) { waiting[i.url] = i; });
      Array.prototype.forEach.call(document.querySelectorAll("form[data-outbox]"), function (form) {
        var url = target(form), pending = waiting[url];
        if (!form.hasAttribute("hx-post") && !form.elements._outbox) {  // the service worker knows it by this
          var hidden = el("input");
          hidden.type = "hidden"; hidden.name = "_outbox"; hidden.value = form.getAttribute("data-outbox");
          form.appendChild(hidden);
          var who = hidden.cloneNode();
          who.name = "_outbox_who"; who.value = owner();
          form.appendChild(who);
          if (form.hasAttribute("data-outbox-extra")) {
            var extra = hidden.cloneNode();
            extra.name = "_outbox_extra"; extra.value = form.getAttribute("data-outbox-extra");
            form.appendChild(extra);
          }
        }
        if (pending) { pend(form, pending); return; }
        if (form.getAttribute("data-outbox-state") !== "pending") { return; }
        var last = results.filter(function (r) { return r.url === url; }).pop();
        hold(form, !!(last && last.ok));  // sent: stays done; refused: free to try again
        note(form, last ? outcome(last) : "", last ? (last.ok ? "sent" : "refused") : "");
      });
      results.filter(function (r) { return !r.shown && !announced[r.key]; }).forEach(function (r) {
        announced[r.key] = true;
        announce(r);
        r.shown = true;
        put("results", r);
      });
      showPage(items, results);
    }).catch(function () {});
  }
  function queue(form, data, key) {
    var entry = item(data, target(form), form.getAttribute("data-outbox"), form.getAttribute("data-outbox-extra"),
                     multipart(form), location.href, key, owner());
    entry.busy = words.busy;  // how the server says "still being sent" in this language (see busy)
    entry.other = words.other;  // and why it was not sent, if someone else is signed in when it goes
    pend(form, entry);
    return put("items", entry).then(changed).then(function () {
      if (navigator.serviceWorker) {  // Background Sync where the browser has it; else `online` and the next load
        navigator.serviceWorker.ready.then(function (r) { return r.sync && r.sync.register(NAME); }).catch(function () {});
      }
    });
  }
  function send() { return flush().catch(function () {}).then(refresh); }

  // Signing out clears the outbox (a shared phone: the next person must not send it), after asking when it holds any.
  function signingOut(form, event) {
    if (!/^\/signout/.test(new URL(form.action, location.href).pathname)) { return false; }
    if (form.hasAttribute("data-outbox-cleared")) { return true; }
    event.preventDefault();
    event.stopImmediatePropagation();
    all("items").then(function (items) {
      if (items.length && !window.confirm(say("confirm", { n: items.length }))) { return; }
      return clear().catch(function () {}).then(function () {
        form.setAttribute("data-outbox-cleared", "1");
        form.submit();
      });
    }, function () { form.submit(); });
    return true;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (signingOut(form, event) || !form.matches("form[data-outbox]")) { return; }
    if (form.getAttribute("data-outbox-state") === "pending" || !navigator.onLine) {
      event.preventDefault();
      event.stopImmediatePropagation();  // before htmx's own listener on the form
      if (form.getAttribute("data-outbox-state") !== "pending") { queue(form, new FormData(form)); }
    }
  }, true);
  // htmx (4.0.1: htmx:config:request carries ctx.request and lets ctx.fetch be replaced): the key on every send, and
  // a send that fails on the network goes to the outbox instead; 204 tells htmx to swap nothing.
  document.addEventListener("htmx:config:request", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var form = ctx && ctx.sourceElement && ctx.sourceElement.closest && ctx.sourceElement.closest("form[data-outbox]");
    if (!form || ctx.request.method !== "POST") { return; }
    var key = uuid();
    ctx.request.headers["Idempotency-Key"] = key;
    ctx.fetch = function (url, init) {
      return fetch(url, init).catch(function () {
        return queue(form, init.body, key).then(function () { return new Response(null, { status: 204 }); });
      });
    };
  });
  document.addEventListener("click", function (event) {
    var b = event.target.closest && event.target.closest("[data-outbox-drop]");
    if (b) { drop("items", b.getAttribute("data-outbox-drop")).then(changed); }
  });
  document.addEventListener("htmx:after:settle", refresh);  // a form swapped in
  onChange = refresh;
  if (channel) { channel.onmessage = refresh; }
  window.addEventListener("online", send);
  refresh().then(function () { if (navigator.onLine) { send(); } });
})(self);
