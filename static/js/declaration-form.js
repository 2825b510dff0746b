/* The declaration and adjustment form: rows added, removed and reordered in the page (a Django formset
 * with ORDER and DELETE), 二级 offered only under the 一级 chosen, and each row's target read and reviewed
 * live by the preview endpoint (the same parser and review rules as submitting). Vanilla JS, no inline code. */
(function () {
  "use strict";
  var form = document.getElementById("declaration-form");
  if (!form) {
    return;
  }
  var rowsBox = form.querySelector("[data-rows]");
  var template = document.getElementById("jx-row-template");
  var total = form.querySelector('[name="rows-TOTAL_FORMS"]');
  var url = form.getAttribute("data-preview-url");
  // The page's language: "第{n}行指标" / "Indicator row {n}", from the template's translations.
  var rowLegend = form.getAttribute("data-row-legend") || "{n}";
  var rowLabel = form.getAttribute("data-row-label") || "{n}";
  var timer = null;
  var latest = 0;

  function rows() {
    return Array.prototype.filter.call(rowsBox.querySelectorAll("[data-row]"), function (row) {
      return !row.hidden;
    });
  }

  function renumber() {
    rows().forEach(function (row, index) {
      var n = index + 1;
      var order = row.querySelector('[name$="-ORDER"]');
      if (order) {
        order.value = n;
      }
      row.querySelector("[data-row-number]").textContent = n;
      var place = rowLabel.replace("{n}", n);
      row.querySelector("[data-row-legend]").textContent = rowLegend.replace("{n}", n);
      row.querySelectorAll("[data-field]").forEach(function (control) {
        var label = form.querySelector('label[for="' + control.id + '"]');
        control.setAttribute("aria-label", place + " " + (label ? label.textContent.trim() : ""));
      });
      row.querySelectorAll("[data-row-action]").forEach(function (span) {
        var base = span.getAttribute("data-base") || span.textContent.trim();
        span.setAttribute("data-base", base);
        span.textContent = base + " " + place;
      });
    });
  }

  function filterLevel2(row) {
    var level1 = row.querySelector("[data-level1-select]");
    var level2 = row.querySelector("[data-level2-select]");
    if (!level1 || !level2) {
      return;
    }
    Array.prototype.forEach.call(level2.options, function (option) {
      var parent = option.getAttribute("data-level1");
      var hide = parent !== null && level1.value !== "" && parent !== level1.value;
      option.hidden = hide;
      option.disabled = hide;
      if (hide && option.selected) {
        level2.value = "";
      }
    });
  }

  function addRow() {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    rowsBox.appendChild(row);
    total.value = index + 1;
    filterLevel2(row);
    renumber();
    row.querySelector("[data-level1-select]").focus();
  }

  rowsBox.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) {
      return;
    }
    var row = button.closest("[data-row]");
    if (button.hasAttribute("data-remove")) {
      row.querySelector("[data-delete]").checked = true;
      row.hidden = true;
      renumber();
      schedule();
      var next = rows()[0];
      var add = form.querySelector("[data-add-row]");
      (next ? next.querySelector("select") : add).focus();
      return;
    }
    var step = parseInt(button.getAttribute("data-move"), 10);
    if (!step) {
      return;
    }
    var visible = rows();
    var at = visible.indexOf(row);
    var other = visible[at + step];
    if (!other) {
      return;
    }
    if (step < 0) {
      rowsBox.insertBefore(row, other);
    } else {
      rowsBox.insertBefore(other, row);
    }
    renumber();
    button.focus();
    schedule();
  });

  form.querySelector("[data-add-row]").addEventListener("click", function () {
    addRow();
  });

  rowsBox.addEventListener("change", function (event) {
    if (event.target.hasAttribute("data-level1-select")) {
      filterLevel2(event.target.closest("[data-row]"));
    }
    schedule();
  });
  form.addEventListener("input", schedule);

  function list(box, items) {
    box.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      if (typeof item === "string") {
        li.textContent = item;
      } else {
        li.className = item.error ? "jx-finding-error" : "jx-finding-warning";
        li.textContent = "【" + item.severity + "】" + item.message + (item.suggestion ? "（" + item.suggestion + "）" : "");
      }
      box.appendChild(li);
    });
  }

  function render(data) {
    rows().forEach(function (row) {
      var found = data.rows[row.getAttribute("data-prefix")] || { reading: { text: "—" }, findings: [] };
      row.querySelector("[data-reading]").textContent = found.reading.text;
      list(row.querySelector("[data-findings]"), found.findings);
    });
    var general = form.querySelector("[data-general-box]");
    list(general.querySelector("[data-general]"), data.general || []);
    general.classList.toggle("d-none", !(data.general || []).length);
    var problems = document.querySelector("[data-problems-box]");
    list(problems.querySelector("[data-problems]"), data.problems || []);
    problems.classList.toggle("d-none", !(data.problems || []).length);
  }

  function preview() {
    var ticket = ++latest;
    var body = new FormData(form);
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": body.get("csrfmiddlewaretoken") },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && ticket === latest) {
          render(data);
        }
      })
      .catch(function () {});
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(preview, 350);
  }

  rowsBox.querySelectorAll("[data-row]").forEach(function (row) {
    // A row deleted before a failed save stays deleted.
    if (row.querySelector("[data-delete]").checked) {
      row.hidden = true;
    }
    filterLevel2(row);
  });
  renumber();
  if (window.fetch) {
    preview();
  }
})();
