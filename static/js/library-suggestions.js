/* The indicator library's suggestions on the declaration form: fetched from the suggestion endpoint (JSON) and
 * shown as a table with last year's and the peers' figures; "填入新行" adds a row filled from the entry. Without
 * JavaScript the form works as before. Vanilla JS, no inline code. */
(function () {
  "use strict";
  var box = document.querySelector("[data-library]");
  var form = document.getElementById("declaration-form");
  if (!box || !form || !window.fetch) {
    return;
  }
  var body = box.querySelector("[data-library-rows]");

  function cell(text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) {
      td.className = className;
    }
    return td;
  }

  function spread(figures) {
    if (!figures) {
      return "—";
    }
    var count = box.getAttribute("data-count-label").replace("{n}", figures.count);
    return figures.min + " / " + figures.median + " / " + figures.max + "（" + count + "）";
  }

  function setValue(row, field, value) {
    var control = row.querySelector('[data-field="' + field + '"]');
    if (!control) {
      return;
    }
    control.value = value;
    control.dispatchEvent(new Event(field === "level1" ? "change" : "input", { bubbles: true }));
  }

  function use(entry) {
    form.querySelector("[data-add-row]").click();
    var rows = form.querySelectorAll("[data-row]");
    var row = rows[rows.length - 1];
    setValue(row, "level1", String(entry.level1));
    setValue(row, "level2", String(entry.level2));
    setValue(row, "name", entry.name);
    setValue(row, "description", entry.description);
    setValue(row, "target", entry.target);
    setValue(row, "basis", entry.basis);
    var target = row.querySelector('[data-field="target"]');
    target.focus();
    target.select();
  }

  function render(data) {
    body.textContent = "";
    box.querySelector("[data-library-categories]").textContent = data.categories.join("、");
    data.entries.forEach(function (entry) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-testid", "library-suggestion");
      var name = document.createElement("th");
      name.scope = "row";
      name.appendChild(document.createTextNode(entry.name));
      var where = document.createElement("div");
      where.className = "small text-body-secondary fw-normal";
      where.textContent =
        entry.level2_name + (entry.unit ? " · " + entry.unit : "") + (entry.common ? " · " + box.getAttribute("data-common-label") : "");
      name.appendChild(where);
      tr.appendChild(name);
      tr.appendChild(cell(entry.target || "—", "jx-nowrap"));
      tr.appendChild(
        cell(entry.last_year ? entry.last_year.target + " / " + (entry.last_year.actual || "—") : "—", "jx-nowrap")
      );
      tr.appendChild(cell(spread(entry.peers.target), "jx-nowrap"));
      tr.appendChild(cell(spread(entry.peers.actual), "jx-nowrap"));
      var action = document.createElement("td");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-primary btn-sm jx-nowrap";
      button.textContent = box.getAttribute("data-use-label");
      button.setAttribute("aria-label", box.getAttribute("data-use-for").replace("{name}", entry.name));
      button.addEventListener("click", function () {
        use(entry);
      });
      action.appendChild(button);
      tr.appendChild(action);
      body.appendChild(tr);
    });
    box.classList.toggle("d-none", !data.entries.length);
  }

  fetch(box.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      return response.ok ? response.json() : null;
    })
    .then(function (data) {
      if (data) {
        render(data);
      }
    })
    .catch(function () {});
})();
