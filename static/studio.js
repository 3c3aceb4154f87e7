// The studio page only (studio.html): loads the builder (planner_builder.js) when the author
// first opens "Build a system, or open its file", or at once when the link carries a system
// (`sf`), whose plan the app waits for before it first draws (src/planner.rs). Runs before
// the wasm app, as boot.js does.
(function () {
  "use strict";
  var load = function () {
    return import("./planner_builder.js");
  };
  var sf = new URLSearchParams(location.search).get("sf");
  if (sf) {
    window.queuePlaygroundLinked = load().then(function (b) {
      return b.openLink(sf);
    });
  }
  // `toggle` does not bubble, so it is caught on its way down.
  document.addEventListener("toggle", function (e) {
    var fold = e.target;
    if (fold.id === "system-file" && fold.open && !fold.dataset.wired) {
      fold.dataset.wired = "1";
      load().then(function (b) {
        b.attach(fold);
      });
    }
  }, true);
})();
