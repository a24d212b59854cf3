// Item page: field highlights, Tab between fields needing attention, action shortcuts,
// live EUR / coverage recomputation while editing, line items added and removed.
(function () {
  "use strict";
  var root = document.querySelector(".item");
  var form = document.getElementById("fields");
  if (!root || !form) return;
  var itemId = root.dataset.item;

  function highlight(name, on) {
    document.querySelectorAll('.box[data-field="' + name + '"]').forEach(function (b) {
      b.classList.toggle("focus", on);
      if (on) b.scrollIntoView({block: "nearest", behavior: "smooth"});
    });
  }
  document.querySelectorAll("[data-field]").forEach(function (el) {
    if (el.classList.contains("box")) return;
    var name = el.dataset.field;
    el.addEventListener("mouseenter", function () { highlight(name, true); });
    el.addEventListener("mouseleave", function () { highlight(name, false); });
    el.addEventListener("focusin", function () { highlight(name, true); });
    el.addEventListener("focusout", function () { highlight(name, false); });
  });

  // Tab: to the next field that needs attention (then the normal order).
  form.addEventListener("keydown", function (ev) {
    if (ev.key !== "Tab" || ev.shiftKey) return;
    var marked = Array.prototype.slice.call(form.querySelectorAll("[data-attention]:not([disabled])"));
    var pos = marked.indexOf(document.activeElement);
    var next = marked[pos + 1];
    if (next) { ev.preventDefault(); next.focus(); if (next.select) next.select(); }
  });

  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT");
  }
  var keys = {a: "act-approve", r: "act-reject", i: "act-request_info", e: "act-escalate", c: "claim"};
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey && ev.key === "Enter") {
      var ok = document.getElementById("act-approve");
      if (ok) { ev.preventDefault(); ok.click(); }
      return;
    }
    if (ev.ctrlKey || ev.altKey || ev.metaKey || typing(ev.target)) return;
    var id = keys[ev.key];
    var button = id && document.getElementById(id);
    if (button) { ev.preventDefault(); button.click(); }
    else if (ev.key === "Tab" && !ev.shiftKey) {
      var first = form.querySelector("[data-attention]:not([disabled])");
      if (first && !form.contains(ev.target)) { ev.preventDefault(); first.focus(); }
    }
  });

  // Reject / ask / escalate need a note: ask for it instead of a server round trip.
  form.addEventListener("submit", function (ev) {
    var b = ev.submitter;
    var note = document.getElementById("note");
    if (b && b.dataset.needsNote && note && !note.value.trim()) {
      ev.preventDefault();
      note.placeholder = "Required for " + b.textContent.replace(/\s+\S$/, "").trim().toLowerCase();
      note.classList.add("need");
      note.focus();
    }
  });

  var timer = null;
  function refresh() {
    var data = new FormData(form);
    data.delete("note");
    fetch("/items/" + itemId + "/preview", {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"X-CSRF-Token": root.dataset.csrf}
    }).then(function (r) { return r.json(); }).then(function (out) {
      form.querySelectorAll(".err").forEach(function (e) { e.textContent = ""; });
      Object.keys(out.errors || {}).forEach(function (k) {
        var e = document.getElementById("err-" + k);
        if (e) e.textContent = out.errors[k];
      });
      if (out.errors && Object.keys(out.errors).length) return;
      var warning = document.getElementById("lines-warning");
      if (warning) { warning.textContent = out.lines_warning || ""; warning.hidden = !out.lines_warning; }
      var eur = out.eur;
      document.getElementById("eur").textContent = eur
        ? eur.amount + " (rate " + eur.rate + ", " + eur.rate_date + ", " + eur.source + ")"
        : "— " + (out.eur_message || "");
      var cov = out.coverage;
      document.getElementById("coverage").textContent = cov
        ? cov.decision + ", reimbursed EUR " + cov.reimbursed_eur
        : "— " + (out.coverage_message || "");
      root.dataset.previewed = String(Number(root.dataset.previewed || 0) + 1);
    }).catch(function () {});
  }
  function later() { clearTimeout(timer); timer = setTimeout(refresh, 300); }
  form.addEventListener("input", function (ev) {
    if (ev.target.name === "note") return;
    later();
  });

  // Line items: add a row from the template, remove a row (the server sees what is left).
  var lines = document.getElementById("lines");
  var addLine = document.getElementById("add-line");
  var template = document.getElementById("line-template");
  if (lines && addLine && template) {
    addLine.addEventListener("click", function () {
      var i = Number(lines.dataset.next);
      lines.dataset.next = String(i + 1);
      var html = template.innerHTML.replace(/__I__/g, String(i)).replace(/__N__/g, String(i + 1));
      lines.tBodies[0].insertAdjacentHTML("beforeend", html);
      var row = lines.querySelector('tr[data-line="' + i + '"]');
      row.querySelector("input").focus();
      later();
    });
    lines.addEventListener("click", function (ev) {
      var button = ev.target.closest(".remove-line");
      if (!button) return;
      var row = button.closest("tr");
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      (next ? next.querySelector("input") : addLine).focus();
      later();
    });
  }
})();
