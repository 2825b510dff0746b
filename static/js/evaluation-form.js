/* Live recompute of the self-evaluation entry page: posts the form (without files) to the preview
 * endpoint, which scores it with the same rules as saving, and shows scores, total, grade and the
 * message beside each field. Vanilla JS, no dependencies. */
(function () {
  "use strict";
  var form = document.getElementById("evaluation-form");
  if (!form || !window.fetch) {
    return;
  }
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var latest = 0;

  function setText(selector, text) {
    document.querySelectorAll(selector).forEach(function (node) {
      node.textContent = text;
    });
  }

  var words = { error: form.getAttribute("data-error-word") || "", note: form.getAttribute("data-note-word") || "" };

  function message(kind, text) {
    // Errors block saving, notes only block submitting: styled and worded differently (.jx-msg-*).
    var div = document.createElement("div");
    div.className = "jx-msg jx-msg-" + kind;
    var strong = document.createElement("strong");
    strong.textContent = words[kind] || "";
    div.appendChild(strong);
    div.appendChild(document.createTextNode(text));
    return div;
  }

  function showMessages(data) {
    var messages = data.messages || {};
    var formErrors = data.form_errors || {};
    document.querySelectorAll("[data-messages-for]").forEach(function (box) {
      var key = box.getAttribute("data-messages-for");
      var errors = formErrors[key] || [];
      var notes = (messages[key] || []).filter(function (note) {
        return errors.indexOf(note) < 0;
      });
      box.textContent = "";
      errors.forEach(function (line) {
        box.appendChild(message("error", line));
      });
      notes.forEach(function (line) {
        box.appendChild(message("note", line));
      });
      var field = form.querySelector('[name="' + key + '"]');
      if (field) {
        field.classList.toggle("is-invalid", errors.length > 0);
        field.classList.toggle("jx-needs-attention", !errors.length && notes.length > 0);
      }
    });
    var general = document.querySelector("[data-general-box]");
    if (general) {
      general.classList.toggle("d-none", !(messages.__all__ || []).length);
    }
  }

  function render(data) {
    setText("[data-total]", data.total_shown || data.total);
    setText("[data-grade]", data.grade_label);
    setText("[data-budget-rate]", data.budget.rate_percent || "—");
    setText("[data-budget-score]", data.budget.score);
    var required = document.querySelector("[data-budget-required]");
    if (required) {
      required.classList.toggle("d-none", !data.budget.reason_required);
    }
    Object.keys(data.rows).forEach(function (pk) {
      var row = data.rows[pk];
      setText('[data-row-weight="' + pk + '"]', row.applicable ? row.weight : "—");
      setText('[data-row-score="' + pk + '"]', row.applicable ? row.score : "—");
      var tr = document.querySelector('tr[data-row="' + pk + '"]');
      if (tr) {
        tr.classList.toggle("jx-below-weight", row.reason_required);
      }
    });
    Object.keys(data.stage_totals || {}).forEach(function (stage) {
      var total = document.getElementById("id_" + stage + "_total");
      if (total && data.stage_totals[stage] !== null) {
        total.setAttribute("placeholder", "= " + data.stage_totals[stage]);
      }
    });
    showMessages(data);
  }

  function preview() {
    var body = new FormData(form);
    Array.from(body.keys()).forEach(function (key) {
      if (body.get(key) instanceof File) {
        body.delete(key);
      }
    });
    var mine = ++latest;
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && mine === latest) {
          render(data);
        }
      })
      .catch(function () {});
  }

  function schedule(event) {
    if (event.target && event.target.type === "file") {
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(preview, 350);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.setAttribute("data-live", "on");
})();
