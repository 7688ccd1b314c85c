/* Switchboard console: what Flask-Admin's templates did in inline handlers, so the CSP allows no inline script.
 *
 * - "With selected" menu items (`data-model-action`) run Flask-Admin's modelActions.execute.
 * - Links to "#" (the menus' toggles and "Add Filter" items, which Flask-Admin's scripts handle, once
 *   `javascript:void(0)`) never jump.
 * - A button with `data-safe-confirm` (a row's delete) asks before its form is sent.
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
})();
