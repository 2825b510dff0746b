// A live character count under each textarea marked data-counter with a maxlength (the reasons of the entry
// page): "已输入 12 / 500 字". The server refuses a longer text too (performance/forms.py reason_field).
(function () {
  "use strict";
  var template = document.documentElement.lang && document.documentElement.lang.indexOf("en") === 0
    ? "{n} / {max} characters"
    : "已输入 {n} / {max} 字";

  function attach(area) {
    var max = parseInt(area.getAttribute("maxlength"), 10);
    if (!max) {
      return;
    }
    var counter = document.createElement("div");
    counter.className = "jx-char-counter";
    counter.id = area.id + "-counter";
    area.insertAdjacentElement("afterend", counter);
    var described = area.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    function update() {
      var n = area.value.length;
      counter.textContent = template.replace("{n}", n).replace("{max}", max);
      counter.classList.toggle("jx-over", n > max);
    }
    area.addEventListener("input", update);
    update();
  }

  document.querySelectorAll("textarea[data-counter]").forEach(attach);
})();
