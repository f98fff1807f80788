// Web Push on this phone: subscribe with the server's VAPID key and send the subscription (with the CSRF header).
(function () {
  var on = document.getElementById("push-on");
  var off = document.getElementById("push-off");
  var status = document.getElementById("push-status");
  if (!on || !off || !status) return;
  function say(key) { status.textContent = status.getAttribute("data-" + key) || ""; }
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) { say("unsupported"); return; }
  function csrf() {
    var headers = document.body.getAttribute("hx-headers:inherited") || "{}";
    try { return JSON.parse(headers)["x-csrftoken"] || ""; } catch (e) { return ""; }
  }
  function key(base64) {
    var padded = (base64 + "===".slice((base64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }
  function send(path, body) {
    return fetch(path, { method: "POST", credentials: "same-origin", headers: { "content-type": "application/json", "x-csrftoken": csrf() }, body: JSON.stringify(body) });
  }
  function show(subscribed) { on.hidden = subscribed; off.hidden = !subscribed; say(subscribed ? "on" : "off"); }
  navigator.serviceWorker.ready.then(function (registration) {
    registration.pushManager.getSubscription().then(function (s) { show(!!s); });
    on.addEventListener("click", function () {
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") { say("denied"); return; }
        registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(on.getAttribute("data-key")) })
          .then(function (s) { return send("/inbox/phones", s.toJSON()); })
          .then(function () { show(true); })
          .catch(function () { say("unsupported"); });
      });
    });
    off.addEventListener("click", function () {
      registration.pushManager.getSubscription().then(function (s) {
        if (!s) { show(false); return; }
        var endpoint = s.endpoint;
        s.unsubscribe().then(function () { return send("/inbox/phones/off", { endpoint: endpoint }); }).then(function () { show(false); });
      });
    });
  });
})();
