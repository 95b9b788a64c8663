// The live-status line: whether the page's event stream is connected. (htmx and its SSE
// extension do the rest: swaps on "tracking" events, reconnects with Last-Event-ID.)
(function () {
  function say(text, state) {
    var line = document.getElementById("live-status");
    if (!line || line.dataset.state === state) return; // a screen reader hears each change once
    line.textContent = text;
    line.dataset.state = state;
  }
  document.addEventListener("htmx:sseOpen", function () {
    say("Live: changes appear as they happen", "on");
  });
  document.addEventListener("htmx:sseError", function () {
    say("Live updates interrupted: reconnecting…", "off");
  });
})();
