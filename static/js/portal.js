/*
 * The portal's small amount of JavaScript. Everything works without it; it adds:
 * - the browser's time zone as a cookie, so times show in the user's zone;
 * - dismissible messages;
 * - the action dialog on the customer page (open, close, return focus);
 * - a message when an htmx request fails, and a full redirect when the session ended.
 * No inline scripts anywhere: the Content-Security-Policy forbids them. The words it shows
 * come translated from the page: data-text-* attributes on the message area (#messages),
 * English when a page has none.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  // --- time zone ------------------------------------------------------------------
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && /^[A-Za-z0-9_+\/-]{1,63}$/.test(zone) &&
        document.cookie.indexOf("portal_tz=" + zone) === -1) {
      document.cookie = "portal_tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (ignored) {
    // An old browser without Intl: times stay in the portal's zone.
  }

  // --- messages -------------------------------------------------------------------
  // data-text-forbidden="..." on #messages is words("forbidden"); "{status}" and
  // "{reference}" in a text are filled in here.
  function words(name, english, values) {
    var area = document.getElementById("messages");
    var key = "text" + name.charAt(0).toUpperCase() + name.slice(1);
    var text = (area && area.dataset && area.dataset[key]) || english;
    Object.keys(values || {}).forEach(function (placeholder) {
      text = text.split("{" + placeholder + "}").join(values[placeholder]);
    });
    return text;
  }

  function showMessage(level, text) {
    var area = document.getElementById("messages");
    if (!area) {
      return;
    }
    var box = document.createElement("div");
    box.className = "message message-" + level;
    var p = document.createElement("p");
    p.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "message-dismiss";
    close.setAttribute("data-dismiss", "");
    close.setAttribute("aria-label", words("dismiss", "Dismiss this message"));
    close.textContent = "×";
    box.appendChild(p);
    box.appendChild(close);
    area.replaceChildren(box);
  }

  document.addEventListener("click", function (event) {
    var dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) {
      var message = dismiss.closest(".message");
      if (message) {
        message.remove();
      }
    }
  });

  // --- the action dialog ----------------------------------------------------------
  var opener = null;

  function dialogParts() {
    return {
      dialog: document.getElementById("action-dialog"),
      panel: document.getElementById("action-panel"),
    };
  }

  function rememberOpener(elt) {
    opener = {
      id: elt.id || null,
      rowId: elt.closest("tr") ? elt.closest("tr").id : null,
    };
  }

  function returnFocus() {
    if (!opener) {
      return;
    }
    var target = (opener.id && document.getElementById(opener.id)) ||
      (opener.rowId && document.getElementById(opener.rowId)) ||
      document.getElementById("main");
    opener = null;
    if (target) {
      target.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-close-dialog]");
    var parts = dialogParts();
    if (closer && parts.dialog && parts.dialog.open && parts.dialog.contains(closer)) {
      event.preventDefault();
      parts.dialog.close();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var parts = dialogParts();
    if (parts.dialog) {
      parts.dialog.addEventListener("close", function () {
        parts.panel.replaceChildren();
        returnFocus();
      });
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var parts = dialogParts();
    var target = event.detail.target;
    if (parts.panel && target === parts.panel && !(parts.dialog && parts.dialog.open)) {
      rememberOpener(event.detail.elt);
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var parts = dialogParts();
    if (!parts.panel || event.detail.target !== parts.panel) {
      return;
    }
    if (parts.panel.children.length === 0) {
      if (parts.dialog.open) {
        parts.dialog.close();
      }
      return;
    }
    if (!parts.dialog.open) {
      parts.dialog.showModal();
    }
    var invalid = parts.panel.querySelector("[aria-invalid='true']");
    var first = invalid || parts.panel.querySelector(
      "textarea, input:not([type='hidden']), select"
    );
    var alert = parts.panel.querySelector(".alert");
    (first || alert || parts.panel.querySelector("button, a")).focus();
  });

  // --- htmx failures --------------------------------------------------------------
  document.addEventListener("htmx:beforeSwap", function (event) {
    // The session ended: the request was redirected to the login page. Go there
    // with the whole window instead of swapping a login form into a table.
    var xhr = event.detail.xhr;
    if (xhr && xhr.responseURL && xhr.responseURL.indexOf("/accounts/login/") !== -1) {
      event.detail.shouldSwap = false;
      window.location.assign("/accounts/login/?next=" +
        encodeURIComponent(window.location.pathname + window.location.search));
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var reference = event.detail.xhr ? event.detail.xhr.getResponseHeader("X-Request-ID") : "";
    var text;
    if (status === 403) {
      text = words("forbidden", "You do not have permission to do this.");
    } else if (status === 404) {
      text = words("gone", "That item no longer exists. Reload the page to see the current state.");
    } else {
      text = words("failed", "Something went wrong (error {status}). Reload the page and check " +
        "before trying again.", { status: String(status) });
      if (reference) {
        text += " " + words("reference", "Reference: {reference}.", { reference: reference });
      }
    }
    showMessage("error", text);
  });

  document.addEventListener("htmx:sendError", function () {
    showMessage("error", words("offline",
      "The portal could not be reached. Check your connection and try again."));
  });
})();
