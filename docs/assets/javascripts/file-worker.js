/*
 * Search from file://: Material runs its search in a Web Worker, and browsers
 * refuse to start a worker script from a file:// page. Opened from disk, this
 * stand-in runs the worker script in a hidden same-origin iframe instead (plain
 * <script> tags do load from file://) and passes messages both ways.
 * Over http(s) the browser's own Worker is left alone.
 */
(function () {
  "use strict";
  if (location.protocol !== "file:") return;

  function loadScript(doc, url) {
    return new Promise(function (resolve, reject) {
      var script = doc.createElement("script");
      script.src = url;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("cannot load " + url)); };
      (doc.head || doc.documentElement).appendChild(script);
    });
  }

  class FileWorker extends EventTarget {
    constructor(url) {
      super();
      var src = new URL(url, location.href).href;
      this.onmessage = null;
      this.onerror = null;
      this.pending = [];  // messages sent before the script has loaded
      this.frame = document.createElement("iframe");
      this.frame.style.display = "none";
      this.frame.setAttribute("aria-hidden", "true");
      (document.body || document.documentElement).appendChild(this.frame);

      // The worker's global scope: its postMessage talks to us, importScripts
      // loads in order (asynchronously, so it returns a promise).
      var scope = this.frame.contentWindow;
      var doc = this.frame.contentDocument;
      scope.postMessage = (data) => this.emit("message", data);
      scope.importScripts = function () {
        return Array.from(arguments).reduce(function (done, next) {
          return done.then(function () { return loadScript(doc, new URL(next, src).href); });
        }, Promise.resolve());
      };
      scope.close = () => this.terminate();

      loadScript(doc, src).then(
        () => { this.pending.forEach((data) => this.deliver(data)); this.pending = null; },
        (error) => this.emit("error", error)
      );
    }

    postMessage(data) {
      if (this.pending) this.pending.push(data);
      else this.deliver(data);
    }

    // page -> worker
    deliver(data) {
      var scope = this.frame.contentWindow;
      if (scope) scope.dispatchEvent(new scope.MessageEvent("message", { data: data }));
    }

    // worker -> page
    emit(type, payload) {
      var event = type === "message"
        ? new MessageEvent("message", { data: payload })
        : new ErrorEvent("error", { error: payload, message: String(payload) });
      this.dispatchEvent(event);
      var handler = type === "message" ? this.onmessage : this.onerror;
      if (typeof handler === "function") handler.call(this, event);
    }

    terminate() {
      this.frame.remove();
    }
  }

  window.Worker = FileWorker;
  // Material's search worker looks for this name to find its language files.
  window.IFrameWorker = FileWorker;
})();
