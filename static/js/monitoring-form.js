/* The monitoring entry page: recompute the lights as the user types (POST to the preview URL, nothing saved). */
(function () {
  "use strict";
  var form = document.getElementById("monitoring-form");
  if (!form || !form.dataset.previewUrl) return;
  var CLASSES = { green: "text-bg-success", amber: "text-bg-warning", red: "text-bg-danger", none: "text-bg-light" };
  var timer = null;
  var sequence = 0;

  function setLight(badge, data) {
    if (!badge) return;
    Object.keys(CLASSES).forEach(function (key) { badge.classList.remove(CLASSES[key], "jx-light-" + key); });
    badge.classList.toggle("border", data.light === "none");
    badge.classList.add(CLASSES[data.light] || CLASSES.none, "jx-light-" + data.light);
    badge.dataset.light = data.light;
    badge.textContent = data.label;
  }

  function setText(selector, text) {
    document.querySelectorAll(selector).forEach(function (el) { el.textContent = text; });
  }

  // What blocks submitting, beside its field: the same markup as the page's (_monitoring_field_messages.html).
  var NOTE_PREFIX = form.dataset.notePrefix || "";
  function setNotes(notes) {
    form.querySelectorAll("[data-notes-for]").forEach(function (box) {
      box.replaceChildren();
      (notes[box.dataset.notesFor] || []).forEach(function (text) {
        var line = document.createElement("div");
        var mark = document.createElement("span");
        mark.setAttribute("aria-hidden", "true");
        mark.textContent = "⚠ ";
        var hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = NOTE_PREFIX;
        line.append(mark, hidden, text);
        box.appendChild(line);
      });
    });
  }

  function preview() {
    var mine = ++sequence;
    var body = new FormData(form);
    fetch(form.dataset.previewUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || mine !== sequence) return;  // a newer request is on its way
        setLight(document.querySelector("[data-testid=project-light]"), data.project);
        setLight(document.querySelector("[data-testid=budget-light]"), data.budget);
        setText("[data-rate]", data.budget.rate);
        setText("[data-reason-for=budget]", data.budget.reason);
        Object.keys(data.rows).forEach(function (pk) {
          var row = document.querySelector('tr[data-indicator="' + pk + '"]');
          if (!row) return;
          setLight(row.querySelector("[data-testid=indicator-light]"), data.rows[pk]);
          setText('[data-reason-for="' + pk + '"]', data.rows[pk].reason);
        });
        setNotes(data.notes || {});
      })
      .catch(function () { /* the lights are recomputed on save anyway */ });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(preview, 300);
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
})();
