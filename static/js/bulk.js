/*
 * Bulk renewal changes on the customer page: a "tick all" button for the checkboxes
 * tied to the bulk form (form="bulk-renewals"). Without this file the button stays
 * hidden and each licence is ticked by hand. Loaded by _bulk_renewals.html; it may be
 * loaded again when htmx swaps the section in, so it installs its listener only once.
 */
(function () {
  "use strict";

  if (window.portalBulkRenewals) {
    window.portalBulkRenewals.reveal();
    return;
  }

  function boxes(form) {
    return Array.prototype.slice.call(
      document.querySelectorAll("input[type='checkbox'][form='" + form.id + "']")
    );
  }

  function reveal() {
    document.querySelectorAll("[data-bulk-select-all]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-bulk-select-all]");
    if (!button || !button.form) {
      return;
    }
    boxes(button.form).forEach(function (box) { box.checked = true; });
  });

  document.addEventListener("htmx:load", reveal);
  document.addEventListener("DOMContentLoaded", reveal);
  window.portalBulkRenewals = { reveal: reveal };
  reveal();
})();
