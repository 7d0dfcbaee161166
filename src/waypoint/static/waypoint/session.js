// The idle warning (core/web.py, "a timed-out session keeps the work"). A staff session
// ends after data-idle-seconds without a request. data-warn-seconds before that, a notice
// says so and offers "Stay signed in" (POST /session/keepalive/, which renews the session).
// When the time is up, the notice says the session ended and that a form sent now is kept
// until the person signs in again: nothing typed is lost. Without JavaScript the server
// side still keeps the form.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-idle-seconds") || "0", 10);
  var warn = parseInt(body.getAttribute("data-warn-seconds") || "0", 10);
  var url = body.getAttribute("data-keepalive");
  if (!idle || !url) { return; }
  var deadline = 0, timer = null, box = null, text = null, button = null;

  function token() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function minutes(s) {
    var m = Math.floor(s / 60), r = s % 60;
    return m + ":" + (r < 10 ? "0" : "") + r;
  }
  function build() {
    if (box) { return; }
    box = document.createElement("div");
    box.id = "session-warning";
    box.className = "session-warning";
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-live", "assertive");
    box.setAttribute("aria-labelledby", "session-warning-text");
    text = document.createElement("p");
    text.id = "session-warning-text";
    button = document.createElement("button");
    button.type = "button";
    button.id = "session-stay";
    button.className = "primary";
    button.textContent = "Stay signed in";
    button.addEventListener("click", stay);
    box.appendChild(text);
    box.appendChild(button);
    document.body.appendChild(box);
  }
  function show(left) {
    build();
    box.hidden = false;
    text.textContent = "For privacy you will be signed out in " + minutes(left) +
      " without activity. What you have typed stays on this page.";
    button.hidden = false;
  }
  function ended() {
    build();
    box.hidden = false;
    box.className = "session-warning ended";
    text.textContent = "Your session ended after " + Math.round(idle / 60) + " minutes " +
      "without activity. What you typed is still here: when you submit it, you sign in " +
      "again and then send it.";
    button.hidden = true;
  }
  function tick() {
    var left = Math.round((deadline - Date.now()) / 1000);
    if (left <= 0) { ended(); return; }
    show(left);
    timer = window.setTimeout(tick, 1000);
  }
  function reset() {
    deadline = Date.now() + idle * 1000;
    if (box) { box.hidden = true; box.className = "session-warning"; }
    window.clearTimeout(timer);
    timer = window.setTimeout(tick, Math.max(0, (idle - warn) * 1000));
  }
  function stay() {
    button.disabled = true;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token(), "Accept": "application/json" }
    }).then(function (r) {
      button.disabled = false;
      if (r.ok) { reset(); } else { window.clearTimeout(timer); ended(); }
    }, function () { button.disabled = false; });
  }
  reset();
})();
