/* Switchboard console: confirmation of bulk and destructive actions, and pages that follow their jobs live.
 *
 * One mechanism for every kind of job. An element with `data-follow-activity` (the job's Activity id),
 * `data-status-url` and `data-in-flight="true"` names a job the page follows: the message an action ends
 * with, a `.live-status` panel, a history row of a job still in flight. Each such job's status is polled
 * every POLL_MS and shown, in place, everywhere the page shows it: its panel (status badge, attempts,
 * progress bar, error, Retry) and the elements marked `data-live-status-for`, `data-live-attempts-for` and
 * `data-live-error-for` with its id. When the job ends, the page fetches itself again and swaps in each
 * region marked `data-live-region` (with an id), so everything the job changed — a new number, a moved
 * number's business, a released row, a health reading, a test call's verdict — shows without a reload,
 * and any job still in flight on the fresh page is followed in turn. Without scripts a reload does it.
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
    panel.setAttribute("data-in-flight", state.in_flight ? "true" : "false");
    panel.setAttribute("data-status", state.status);
  }

  var following = {};

  // How to find the control that has the focus inside a region again once the region is swapped, so a
  // keyboard user keeps their place: by its id, else by its action.
  function focusKey() {
    var focused = document.activeElement;
    if (!focused || !focused.closest("[data-live-region]")) { return null; }
    if (focused.id) { return "#" + CSS.escape(focused.id); }
    var action = focused.getAttribute("data-action");
    return action ? '[data-action="' + CSS.escape(action) + '"]' : null;
  }

  function refreshRegions() {
    fetch(window.location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        if (response.redirected) {  // the page's record is gone (a released number): show where it led
          window.location.assign(response.url);
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var focused = focusKey();
        document.querySelectorAll("[data-live-region][id]").forEach(function (region) {
          var replacement = fresh.getElementById(region.id);
          if (replacement) { region.replaceWith(document.importNode(replacement, true)); }
        });
        var again = focused && document.querySelector(focused);
        if (again) { again.focus(); }
        followAll();
      })
      .catch(function () {
        window.setTimeout(refreshRegions, POLL_MS * 5);
      });
  }

  function poll(id, url) {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (state) {
        document.querySelectorAll('.live-status[data-follow-activity="' + id + '"]').forEach(function (panel) {
          render(panel, state);
        });
        renderElsewhere(state);
        if (state.in_flight) {
          window.setTimeout(function () { poll(id, url); }, POLL_MS);
        } else {
          document.querySelectorAll('[data-follow-activity="' + id + '"]').forEach(function (place) {
            place.setAttribute("data-in-flight", "false");
          });
          refreshRegions();
        }
      })
      .catch(function () {
        window.setTimeout(function () { poll(id, url); }, POLL_MS * 5);
      });
  }

  function followAll() {
    document.querySelectorAll('[data-follow-activity][data-in-flight="true"]').forEach(function (place) {
      var id = place.getAttribute("data-follow-activity");
      if (following[id]) { return; }
      following[id] = true;  // followed once: a job that ended is never polled again
      poll(id, place.getAttribute("data-status-url"));
    });
  }

  followAll();
})();
