// The dashboard's two charts (Chart.js, vendored in static/vendor/chartjs).
(function () {
  "use strict";
  var source = document.getElementById("jx-dashboard-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var gradeColours = ["#2e7d32", "#24538a", "#c9a227", "#b02a37"];
  var statusColours = ["#8a94a0", "#3b8fc4", "#e0a800", "#2e7d32"];
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;

  var gradeCanvas = document.getElementById("jx-grade-chart");
  if (gradeCanvas) {
    new Chart(gradeCanvas, {
      type: "bar",
      data: {
        labels: data.grades.labels,
        datasets: [{ label: data.dataset_grades, data: data.grades.counts, backgroundColor: gradeColours }]
      },
      options: {
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }
  var statusCanvas = document.getElementById("jx-status-chart");
  if (statusCanvas) {
    new Chart(statusCanvas, {
      type: "doughnut",
      data: {
        labels: data.statuses.labels,
        datasets: [{ data: data.statuses.counts, backgroundColor: statusColours }]
      },
      options: { maintainAspectRatio: false, plugins: { legend: { position: "bottom" } } }
    });
  }
})();
