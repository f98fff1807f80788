// Elder mode switch (remembered on this device) and the service worker.
(function () {
  var root = document.documentElement;
  var toggle = document.getElementById("elder-toggle");
  if (toggle) {
    toggle.setAttribute("aria-pressed", root.classList.contains("elder") ? "true" : "false");
    toggle.addEventListener("click", function () {
      var on = !root.classList.contains("elder");
      root.classList.toggle("elder", on);
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      try { localStorage.setItem("linli-elder", on ? "1" : "0"); } catch (e) {}
    });
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
  });
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    });
  }
})();
