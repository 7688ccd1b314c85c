/* Switchboard console: confirmation of bulk and destructive actions, and live job status.
 *
 * A `.live-status` panel names its JSON endpoint in `data-status-url`; while the job is in flight the
 * panel is refreshed every POLL_MS. Each answer updates, in place and without reloading the page, every
 * place that shows the job: the panel's status badge, attempts, progress bar (named steps for a
 * provision), error text and Retry button; the elements marked `data-live-status-for`,
 * `data-live-attempts-for` and `data-live-error-for` with the job's id (e.g. its row in a history
 * table); and, when a provision succeeds, the number panel with its webhook badge.
 */
(function () {
  "use strict";

  var POLL_MS = 1000;
  var STATUS_STYLES = { queued: "secondary", running: "primary", succeeded: "success", failed: "danger" };

  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);

  function field(panel, name) {
    return panel.querySelector('[data-field="' + name + '"]');
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function renderNumber(number) {
    var target = document.querySelector("[data-number-panel] [data-field=number]");
    if (!target || !number) { return; }
    target.textContent = "";
    var link = element("a", "phone-number", number.formatted);
    link.href = number.url;
    link.title = number.e164;
    target.appendChild(link);
    number.capabilities.forEach(function (capability) {
      target.appendChild(document.createTextNode(" "));
      var badge = element("span", "badge " + (capability.present ? "badge-primary capability-on" : "badge-light capability-off"));
      badge.title = capability.label + ": " + (capability.present ? "yes" : "no");
      if (capability.present) {
        badge.textContent = capability.label;
      } else {
        badge.appendChild(element("s", null, capability.label));
      }
      target.appendChild(badge);
    });
    target.appendChild(document.createTextNode(" "));
    var webhook = element("span", "badge badge-" + number.webhook_status_style, number.webhook_status_label);
    if (number.webhook_error) { webhook.title = number.webhook_error; }
    target.appendChild(webhook);
  }

  function showStatus(badge, state) {
    badge.className = "badge badge-" + (STATUS_STYLES[state.status] || "secondary");
    badge.textContent = state.status_label;
    badge.title = state.attempts + " attempt(s)";
  }

  function showError(place, state) {
    place.textContent = "";
    if (!state.error) { return; }
    var text = element("span", "text-danger", state.error_summary);
    text.title = state.error;
    place.appendChild(text);
  }

  function eachPlace(what, state, update) {
    document.querySelectorAll("[data-live-" + what + '-for="' + state.id + '"]').forEach(update);
  }

  function renderElsewhere(state) {
    eachPlace("status", state, function (place) {
      place.querySelectorAll(".badge").forEach(function (badge) { showStatus(badge, state); });
    });
    eachPlace("attempts", state, function (place) { place.textContent = state.attempts; });
    eachPlace("error", state, function (place) { showError(place, state); });
  }

  function render(panel, state) {
    showStatus(field(panel, "status"), state);
    renderElsewhere(state);
    field(panel, "attempts").textContent = state.attempts;

    var progress = field(panel, "progress");
    if (state.progress_total) {
      var percent = Math.round(100 * (state.progress_done || 0) / state.progress_total);
      var bar = progress.querySelector(".progress-bar");
      progress.hidden = false;
      bar.style.width = percent + "%";
      bar.setAttribute("aria-valuenow", percent);
      bar.classList.toggle("progress-bar-striped", state.in_flight);
      bar.classList.toggle("progress-bar-animated", state.in_flight);
      bar.classList.toggle("bg-success", state.status === "succeeded");
      bar.classList.toggle("bg-danger", state.status === "failed");
      field(panel, "progress-text").textContent = state.progress_text;
    }

    var failed = state.status === "failed";
    var error = field(panel, "error");
    error.hidden = !state.error;
    error.classList.toggle("alert-danger", failed);
    error.classList.toggle("alert-warning", !failed);
    field(panel, "error-lead").hidden = !failed;
    field(panel, "error-text").textContent = state.error || "";
    var retry = field(panel, "retry");
    if (retry) { retry.hidden = !failed; }
    if (state.status === "succeeded") { renderNumber(state.number); }
    panel.setAttribute("data-in-flight", state.in_flight ? "true" : "false");
    panel.setAttribute("data-status", state.status);
  }

  function poll(panel) {
    fetch(panel.getAttribute("data-status-url"), {
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (state) {
        render(panel, state);
        if (state.in_flight) { window.setTimeout(function () { poll(panel); }, POLL_MS); }
      })
      .catch(function () {
        window.setTimeout(function () { poll(panel); }, POLL_MS * 5);
      });
  }

  document.querySelectorAll(".live-status[data-status-url]").forEach(function (panel) {
    if (panel.getAttribute("data-in-flight") === "true") { poll(panel); }
  });
})();
