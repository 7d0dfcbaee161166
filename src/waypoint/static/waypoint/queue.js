// The walk-in queue refreshes itself without a full reload (the page works without it:
// its "Refresh" link reloads the page). Every few seconds, while the tab is visible, it
// asks this server for the rows (an HTML fragment, same host, the page's session); the
// answer is 204 when nothing changed. Waiting times tick on between answers.
(function () {
  "use strict";
  function init() {
    var live = document.getElementById("queue-live");
    if (!live || !window.fetch) return;
    var url = live.getAttribute("data-rows-url");
    var every = Math.max(2, parseInt(live.getAttribute("data-every"), 10) || 15) * 1000;
    var auto = live.querySelector(".queue-auto");
    if (auto) auto.hidden = false;
    var busy = false;

    function rows() { return document.getElementById("queue-rows"); }

    function tick() {
      var now = Date.now() / 1000;
      live.querySelectorAll("td.wait[data-arrived]").forEach(function (td) {
        var minutes = Math.max(0, Math.floor((now - parseInt(td.getAttribute("data-arrived"), 10)) / 60));
        var h = Math.floor(minutes / 60), m = minutes % 60;
        td.textContent = h ? h + " h " + (m < 10 ? "0" : "") + m + " min" : m + " min";
      });
    }

    function poll() {
      if (busy || document.hidden) return;
      var current = rows();
      var version = current ? current.getAttribute("data-version") || "" : "";
      busy = true;
      fetch(url + "&v=" + encodeURIComponent(version), {
        credentials: "same-origin",
        headers: { "Accept": "text/html" },
        redirect: "manual",
        cache: "no-store"
      }).then(function (resp) {
        if (resp.status === 200 && resp.headers.get("X-Queue-Version")) {
          return resp.text().then(function (html) {
            var box = document.createElement("div");
            box.innerHTML = html;
            var fresh = box.querySelector("#queue-rows");
            var old = rows();
            if (fresh && old) old.replaceWith(fresh);
          });
        }
        tick();
      }).catch(function () { /* offline a moment: try again next time */ })
        .then(function () { busy = false; });
    }

    setInterval(poll, every);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
