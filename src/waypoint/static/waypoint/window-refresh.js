// The dosing window's due list refreshes itself (same host, the page's session): every
// few seconds it fetches /dosing/board/ (the counts, the due list and the recent doses as
// an HTML fragment) and puts it in place of #window-board. Without JavaScript the page
// works as before, with a "Refresh the list" link. Nothing runs while the tab is hidden,
// and a failed fetch leaves the list as it was (the "updated" time says how old it is).
(function () {
  "use strict";
  var box = document.getElementById("window-board");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-refresh-url");
  var seconds = parseInt(box.getAttribute("data-refresh-seconds") || "20", 10);
  var stamp = document.getElementById("board-refreshed");
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function refresh() {
    if (document.hidden) { return; }
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        box.innerHTML = html;
        if (stamp) {
          var d = new Date();
          stamp.textContent = "(updated " + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + ")";
        }
        box.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () { /* keep the list; the next tick tries again */ });
  }
  window.setInterval(refresh, Math.max(seconds, 2) * 1000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { refresh(); } });
})();
