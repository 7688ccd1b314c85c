/* Switchboard console: what Flask-Admin's templates did in inline handlers, so the CSP allows no inline script.
 *
 * - "With selected" menu items (`data-model-action`) run Flask-Admin's modelActions.execute.
 * - Links to "#" (the menus' toggles and "Add Filter" items, which Flask-Admin's scripts handle, once
 *   `javascript:void(0)`) never jump.
 * - A button with `data-safe-confirm` (a row's delete) asks before its form is sent.
 * - select2 3 (Flask-Admin's pickers, such as the move page's business picker) gives its search box
 *   role="combobox" without the aria-expanded and aria-controls that ARIA 1.2 requires of one (it names its
 *   list with the older aria-owns): they say whether the list is open, and which it is.
 */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : event.target.parentElement;
    var action = target && target.closest("[data-model-action]");
    if (action) {
      event.preventDefault();
      window.modelActions.execute(action.getAttribute("data-model-action"));
      return;
    }
    if (target && target.closest('a[href="#"]')) {
      event.preventDefault();
      return;
    }
    var confirmed = target && target.closest("[data-safe-confirm]");
    if (confirmed && !window.faHelpers.safeConfirm(confirmed.getAttribute("data-safe-confirm"))) {
      event.preventDefault();
    }
  }, true);  // capture: before Flask-Admin's own handlers, which may stop the event

  if (window.jQuery) {
    window.jQuery(document).on("select2-open select2-close", function (event) {
      var picker = window.jQuery(event.target).data("select2");
      if (picker && picker.search) {
        picker.search.attr("aria-expanded", String(event.type === "select2-open"));
        picker.search.attr("aria-controls", picker.search.attr("aria-owns"));
      }
    });
  }
})();
