// The finance console's grade distribution per department (or unit): stacked bars (Chart.js, vendored in
// static/vendor/chartjs). The table below the chart holds the same figures.
(function () {
  "use strict";
  var source = document.getElementById("jx-console-data");
  var canvas = document.getElementById("jx-console-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var colours = ["#2e7d32", "#24538a", "#c9a227", "#b02a37"];
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  canvas.parentElement.style.height = Math.max(160, 60 + 26 * data.labels.length) + "px";
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.datasets.map(function (set, i) {
        return { label: set.label, data: set.data, backgroundColor: colours[i] };
      })
    },
    options: {
      indexAxis: "y",
      maintainAspectRatio: false,
      plugins: { legend: { position: "bottom" } },
      scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } }
    }
  });
})();
