// Logbog's only script besides htmx: say so when a request could not reach the server (a
// flaky hospital network), and hide it again when the next one succeeds. Forms carry their
// own idempotency key, so sending again records once. No text lives here: the message is in
// the page, in the user's language.
(function () {
  "use strict";
  function box() { return document.getElementById("net-error"); }
  function show() { var b = box(); if (b) { b.hidden = false; } }
  function hide() { var b = box(); if (b) { b.hidden = true; } }
  document.addEventListener("htmx:sendError", show);
  document.addEventListener("htmx:responseError", show);
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail && event.detail.successful) { hide(); }
  });
  // After a boosted page change, move focus to the new content for screen-reader users: to
  // the summary of what was refused when there is one, else to the main content.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail && event.detail.boosted) {
      var target = document.getElementById("error-summary") || document.getElementById("main");
      if (target) { target.focus({ preventScroll: false }); }
    }
  });
}());
