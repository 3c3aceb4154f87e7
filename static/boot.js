// Runs before the wasm app and keeps working after it: the fallback for browsers without
// WebAssembly, a message when start-up fails, and the crash panel's Reload button (after a Rust
// panic the wasm module is dead, so that button cannot be wired from Rust).
(function () {
  "use strict";

  function showBootMessage(title, text) {
    var boot = document.getElementById("boot");
    if (!boot) return;
    boot.classList.add("boot-failed");
    boot.textContent = "";
    var h = document.createElement("h1");
    h.textContent = title;
    var p = document.createElement("p");
    p.textContent = text;
    var b = document.createElement("button");
    b.type = "button";
    b.setAttribute("data-reload", "");
    b.textContent = "Reload";
    boot.append(h, p, b);
  }

  function appStarted() {
    var app = document.getElementById("app");
    return !!(app && app.childElementCount > 0);
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target && target.closest && target.closest("[data-reload]")) {
      window.location.reload();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
      showBootMessage(
        "This browser cannot run the playground",
        "Queue Playground runs its simulation in WebAssembly, which this browser does not support " +
          "or has turned off. A current Firefox, Chrome, Edge or Safari will work."
      );
      return;
    }
    window.addEventListener("unhandledrejection", function (event) {
      if (appStarted()) return;
      showBootMessage(
        "The playground could not start",
        "Loading its WebAssembly module failed (" + String(event.reason) + "). " +
          "Check your connection and reload."
      );
    });
    window.setTimeout(function () {
      if (!appStarted() && !document.getElementById("panic-panel")) {
        showBootMessage(
          "The playground is taking long to start",
          "It has not started after 20 seconds. A slow connection can cause this; reloading may help."
        );
      }
    }, 20000);
  });
})();
