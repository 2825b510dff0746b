// A background job's page: poll its status every second while it runs, then reload to show the result.
(function () {
  "use strict";
  var box = document.getElementById("jx-job");
  if (!box || box.dataset.jobFinished === "1") {
    return;
  }
  var url = box.dataset.jobStatusUrl;
  var bar = document.querySelector("#jx-job-progress .progress-bar");
  var wrapper = document.getElementById("jx-job-progress");
  var status = document.getElementById("jx-job-status");
  var message = document.getElementById("jx-job-message");
  var delay = 1000;

  function show(state) {
    if (bar) {
      bar.style.width = state.percent + "%";
      bar.textContent = state.percent + "%";
      wrapper.setAttribute("aria-valuenow", state.percent);
    }
    status.textContent = state.status_label;
    status.className = "badge jx-job-" + state.status;
    message.textContent = state.message;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (state.finished) {
          window.location.reload();
        } else {
          delay = 1000;
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000); // the server is busy or away: try again, less often
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, delay);
})();
