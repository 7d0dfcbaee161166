// Counseling pages, progressive enhancement (the pages work without it):
// - attendance: minutes belong to "attended" only; choosing absent or excused clears and
//   disables the minutes, choosing attended offers the session's length;
// - scheduling: a filter over the roster's names.
(function () {
  "use strict";
  function syncMinutes(select) {
    var input = document.getElementById(select.getAttribute("data-minutes"));
    if (!input) return;
    if (select.value === "attended") {
      input.disabled = false;
      if (!input.value) input.value = select.getAttribute("data-duration") || "";
    } else {
      input.value = "";
      input.disabled = true;
    }
  }
  function init() {
    document.querySelectorAll("select.att-select").forEach(function (select) {
      syncMinutes(select);
      select.addEventListener("change", function () { syncMinutes(select); });
    });
    var filter = document.getElementById("roster-filter");
    if (filter) {
      filter.hidden = false;
      filter.addEventListener("input", function () {
        var q = filter.value.trim().toLowerCase();
        document.querySelectorAll("#caseload li.pick").forEach(function (li) {
          var box = li.querySelector("input");
          var match = !q || li.getAttribute("data-name").indexOf(q) !== -1;
          li.hidden = !match && !(box && box.checked);
        });
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
