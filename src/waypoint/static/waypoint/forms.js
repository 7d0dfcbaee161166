// Waypoint's one script (no framework; the CSP allows only scripts from this server).
// After a refused or an accepted form, the page marks the message beside that form with
// data-focus-here: move the keyboard focus there (which also scrolls it into view), so
// the person sees, and a screen reader reads, what happened. The error summary's links
// move focus to the field they name.
(function () {
  "use strict";
  // Phones: the main menu folds behind its "Menu" button (CSS under html.js); without
  // scripts it stays open and wraps.
  document.documentElement.className += " js";
  document.addEventListener("click", function (event) {
    var t = event.target.closest ? event.target.closest(".menu-toggle") : null;
    if (!t) { return; }
    var bar = t.closest(".topbar");
    var open = bar.classList.toggle("menu-open");
    t.setAttribute("aria-expanded", open ? "true" : "false");
  });
  function focusMessage() {
    var el = document.querySelector("[data-focus-here]");
    if (el) {
      el.focus();
      if (el.scrollIntoView) { el.scrollIntoView({ block: "center" }); }
    }
  }
  function onSummaryClick(event) {
    var a = event.target.closest ? event.target.closest(".error-summary a[href^='#']") : null;
    if (!a) { return; }
    var target = document.getElementById(a.getAttribute("href").slice(1));
    if (target) {
      event.preventDefault();
      target.focus();
      if (target.scrollIntoView) { target.scrollIntoView({ block: "center" }); }
    }
  }
  function centre() {
    // the browser scrolls to the address's #anchor after loading: bring the message to the
    // middle of the screen, with the form around it
    var el = document.querySelector("[data-focus-here]");
    if (el && el.scrollIntoView) { el.scrollIntoView({ block: "center" }); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusMessage);
  } else {
    focusMessage();
  }
  window.addEventListener("load", function () { window.setTimeout(centre, 0); });
  document.addEventListener("click", onSummaryClick);
})();
