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

  var query = new URLSearchParams(location.search);
  function on(flag) {
    return flag !== null && /^(|1|true|yes)$/.test(flag);
  }

  // embed=1 in an iframe: the playground's events (DOM events from the wasm) go to the parent
  // page as messages, with the resize messages course platforms listen for. Plain JS here is
  // far smaller than the same in wasm.
  //
  // Only to the parent page's own origin, and only if it is allowed (this origin or one in
  // origin=): posting to any other origin makes the browser log a "target origin does not
  // match" warning for every message. The parent's origin comes from ancestorOrigins
  // (Chromium, Safari) or the referrer (at least the origin, by default, across origins);
  // without either (Firefox under referrerpolicy="no-referrer") this origin is tried.
  if (on(query.get("embed")) && window.parent !== window) {
    var ancestors = location.ancestorOrigins;
    var referrer = /^[a-z-]+:\/\/[^/]+/.exec(document.referrer);
    var parentOrigin = (ancestors && ancestors[0]) || (referrer && referrer[0]) || location.origin;
    var allowed = (query.get("origin") || "")
      .split(",")
      .map(function (o) {
        return o.trim();
      })
      .concat(location.origin);
    var post = function (message) {
      if (parentOrigin !== "null" && allowed.indexOf(parentOrigin) >= 0) {
        window.parent.postMessage(message, parentOrigin);
      }
    };
    ["ready", "checkpoint-answered", "lesson-completed", "xapi"].forEach(function (type) {
      document.addEventListener("queue-playground:" + type, function (event) {
        post(Object.assign({ source: "queue-playground", type: type }, event.detail));
      });
    });
    // The content height, so the host can size the iframe without a scrollbar: the shell's,
    // not the document's, which is at least as tall as the iframe and so never shrinks.
    // Measured after every change to the page too, not only on resize: Chromium renders no
    // frames in a cross-origin iframe out of view, so a ResizeObserver stays silent there until
    // the learner scrolls to it (at the host's initial height), and the course page jumps.
    // Reading scrollHeight lays out once per batch of changes, which a visible frame does anyway.
    var last = -1;
    var report = function () {
      var shell = document.querySelector(".shell");
      var height = shell && shell.scrollHeight;
      if (height && height !== last) {
        last = height;
        post({ source: "queue-playground", type: "height", height: height });
        post({ subject: "lti.frameResize", height: height });
        // H5P's h5p-resizer.js reads scrollHeight.
        post({ context: "h5p", action: "resize", height: height, scrollHeight: height });
      }
    };
    document.addEventListener("DOMContentLoaded", function () {
      var app = document.getElementById("app");
      new ResizeObserver(report).observe(app);
      new MutationObserver(report).observe(app, { childList: true, subtree: true, characterData: true, attributes: true });
    });
  }

  // poster=1 (click to load): a still preview until the learner asks for the playground, so a
  // page with many embeds downloads none of their WebAssembly up front. start.js waits for
  // this promise before it fetches anything; without poster=1 it is null and start.js goes on.
  var gated = on(query.get("poster"));
  window.queuePlaygroundGate = gated
    ? new Promise(function (go) {
        document.addEventListener("DOMContentLoaded", function () {
          var boot = document.getElementById("boot");
          var lesson = query.get("lesson");
          var p = document.createElement("p");
          p.textContent = lesson ? "Lesson: " + lesson.replace(/-/g, " ") : "";
          var b = document.createElement("button");
          b.id = "load-playground";
          b.className = "primary";
          b.textContent = "▸ Load the queue playground";
          b.addEventListener("click", function () {
            boot.textContent = "Loading…";
            watchStart();
            go();
          });
          boot.textContent = "";
          boot.append(b, p);
        });
      })
    : null;
  // The build makes the wasm's preload links inert and puts this script after them: without a
  // poster they are turned on here, early in the head, as Trunk wrote them.
  if (!gated) {
    document.querySelectorAll("link[data-rel]").forEach(function (link) {
      link.rel = link.getAttribute("data-rel");
    });
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
    // With a poster, the wait starts at the click.
    if (!gated) watchStart();
  });

  function watchStart() {
    window.setTimeout(function () {
      if (!appStarted() && !document.getElementById("panic-panel")) {
        showBootMessage(
          "The playground is taking long to start",
          "It has not started after 20 seconds. A slow connection can cause this; reloading may help."
        );
      }
    }, 20000);
  }
})();
