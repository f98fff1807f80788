// Elder mode switch (remembered on this device), character counters and the service worker.
(function () {
  var root = document.documentElement;
  // The switches (#elder-toggle on 我的 and the sign-in page, one in the visitor's first-visit prompt) say one state.
  var toggles = document.querySelectorAll("#elder-toggle, [data-elder-toggle]");
  function pressed() {
    var on = root.classList.contains("elder") ? "true" : "false";
    Array.prototype.forEach.call(toggles, function (t) { t.setAttribute("aria-pressed", on); });
  }
  pressed();
  Array.prototype.forEach.call(toggles, function (toggle) {
    toggle.addEventListener("click", function () {
      var on = !root.classList.contains("elder");
      root.classList.toggle("elder", on);
      pressed();
      try { localStorage.setItem("linli-elder", on ? "1" : "0"); } catch (e) {}
    });
  });
  // The first-visit prompt (base.html): answered once on this device, by closing it or by choosing a language.
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("[data-welcome-done]")) { return; }
    root.classList.remove("first-visit");
    try { localStorage.setItem("linli-welcomed", "1"); } catch (e) {}
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
  });
  // Signed out (backend/residents/web/signin.py adds signed-out=1): the pages the service worker kept belonged to
  // the person who was signed in; a shared phone must not open them offline for the next one. Static files stay.
  if (/[?&]signed-out=1\b/.test(location.search) && window.caches) {
    caches.delete("linli-pages");
  }
  // ...and so did the outbox (js/outbox.js, issue 23): what they left unsent must not go out under the next person.
  if (/[?&]signed-out=1\b/.test(location.search) && window.indexedDB) {
    indexedDB.deleteDatabase("linli-outbox");
  }
  // Character counters (frontend/templates/_counter.html): "n of max" as one types. Past the limit the hint says
  // by how much and the form is held back, instead of the browser cutting a paste silently at maxlength.
  function counted(field) {
    var hint = document.getElementById(field.getAttribute("data-counter"));
    var max = parseInt(field.getAttribute("maxlength"), 10);
    if (!hint || !max || field.hasAttribute("data-counted")) { return; }
    field.setAttribute("data-counted", String(max));
    field.removeAttribute("maxlength");
    var refused = field.getAttribute("aria-invalid") === "true";  // the server's word stays until the text changes
    function update() {
      var text = field.value.replace(/\r\n/g, "\n").trim();
      var n = Array.from(text).length, over = n - max;  // characters as the server counts them
      var said = over > 0 ? hint.getAttribute("data-over") : hint.getAttribute("data-of");
      hint.textContent = said.replace("{n}", n).replace("{max}", max).replace("{over}", over);
      hint.classList.toggle("field-error", over > 0);
      field.setCustomValidity(over > 0 ? hint.textContent : "");
      if (over > 0 || refused) { field.setAttribute("aria-invalid", "true"); } else { field.removeAttribute("aria-invalid"); }
    }
    field.addEventListener("input", function () { refused = false; update(); });
    update();
  }
  function enhance() { Array.prototype.forEach.call(document.querySelectorAll("[data-counter]"), counted); }
  enhance();
  document.addEventListener("htmx:after:settle", enhance);  // a form swapped in again (a refusal)
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    });
  }
})();
