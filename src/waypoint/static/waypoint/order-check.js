/* The medication order form's check as the prescriber types (progressive enhancement).
 *
 * Every form with a data-check-url (the chart's new-order form and each order's change
 * form) sends its values, as the API's JSON body, to that same-host endpoint
 * (POST /api/v1/patients/{id}/medication-orders/check, or
 * /api/v1/medication-orders/{id}/changes/check) with the page's session and CSRF token,
 * and shows what signing would answer: the refusals (in words; the code is kept in a
 * data-code attribute) and the warnings.
 * Nothing is written. Without JavaScript the "Check order" button posts the form to a
 * page that shows the same answer.
 */
(function () {
  "use strict";

  var BOOLEANS = ["high_dose_acknowledged", "blockade_acknowledged", "implant_supplemental"];
  var INTEGERS = ["take_home_max_doses", "repeat_interval_hours"];
  // never sent: the CSRF token, a marker, and the prescriber's signing password
  var SKIP = ["csrfmiddlewaretoken", "implant_supplemental_shown", "signature_password"];

  function body(form) {
    var out = {};
    var data = new FormData(form);
    data.forEach(function (value, name) {
      if (SKIP.indexOf(name) >= 0 || BOOLEANS.indexOf(name) >= 0) return;
      value = String(value).trim();
      if (value === "") return;
      if (INTEGERS.indexOf(name) >= 0) {
        if (!/^\d+$/.test(value)) return;
        out[name] = parseInt(value, 10);
      } else {
        out[name] = value;
      }
    });
    BOOLEANS.forEach(function (name) {
      var box = form.querySelector('input[type="checkbox"][name="' + name + '"]');
      if (!box) return;
      if (name === "implant_supplemental" && form.querySelector('[name="implant_supplemental_shown"]') === null
          && form.id !== "order-form") return;
      out[name] = box.checked;
    });
    return out;
  }

  function ready(form, b) {
    if (form.id === "order-form") return Boolean(b.medication && b.dose_mg && b.start_date);
    return Boolean(b.dose_mg);
  }

  function list(items, className, text) {
    var ul = document.createElement("ul");
    ul.className = className;
    items.forEach(function (item) {
      var li = document.createElement("li");
      text(li, item);
      ul.appendChild(li);
    });
    return ul;
  }

  function show(out, answer) {
    out.textContent = "";
    var p = document.createElement("p");
    if (answer.refusals.length) {
      p.className = "blocked";
      p.textContent = "Signing would be refused:";
      out.appendChild(p);
      out.appendChild(list(answer.refusals, "check-refusals", function (li, r) {
        li.setAttribute("data-code", r.code);
        var strong = document.createElement("strong");
        strong.textContent = r.detail;
        li.appendChild(strong);
      }));
    } else {
      p.className = "ok check-ok";
      p.textContent = "No rule refuses this order.";
      out.appendChild(p);
    }
    if (answer.warnings.length) {
      var w = document.createElement("p");
      w.className = "warning";
      w.textContent = "Warnings:";
      out.appendChild(w);
      out.appendChild(list(answer.warnings, "check-warnings", function (li, text) {
        li.textContent = text;
      }));
    }
  }

  function wire(form) {
    var out = form.querySelector(".order-check");
    var token = form.querySelector('input[name="csrfmiddlewaretoken"]');
    if (!out || !token) return;
    var timer = null;
    var seq = 0;
    var submitted = false;

    function check() {
      var b = body(form);
      if (!ready(form, b)) {
        out.textContent = "";
        return;
      }
      var mine = ++seq;
      fetch(form.getAttribute("data-check-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json",
          "X-CSRFToken": token.value
        },
        body: JSON.stringify(b)
      }).then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      }).then(function (result) {
        if (mine !== seq) return; // a newer check is under way
        if (result.ok) {
          show(out, result.data);
        } else {
          show(out, { refusals: [{ code: result.data.code, detail: result.data.detail }], warnings: [] });
        }
      }).catch(function () {
        if (mine === seq) out.textContent = "";
      });
    }

    function later(event) {
      // the password that signs is never sent and changes no rule's answer
      if (submitted) return;
      if (event && event.target && SKIP.indexOf(event.target.name) >= 0) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(check, 350);
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
    var button = form.querySelector("#order-check-button");
    if (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        check();
      });
    }
    // signing: no check is sent any more (the page is being replaced by the answer)
    form.addEventListener("submit", function () {
      submitted = true;
      window.clearTimeout(timer);
      seq++;
    });
  }

  function start() {
    var forms = document.querySelectorAll("form[data-check-url]");
    for (var i = 0; i < forms.length; i++) wire(forms[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
