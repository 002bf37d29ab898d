/*
 * Search for math: the search index spells TeX as plain text ("a^n b^n" is "anbn",
 * docs/hooks/site.py with reproductions/reporting/text.py: plain_tex). A query is spelled
 * the same way before the search worker sees it, so "a^n b^n", "$a^n b^n$" and "anbn"
 * find the same pages (lunr would otherwise read "^" as a boost and find nothing).
 * Loaded as a polyfill, after file-worker.js: it wraps whichever Worker is in place.
 */
(function () {
  "use strict";
  var QUERY = 2;  // Material's search message type for a query

  // a run of words with superscripts or subscripts is one word, without the marks
  function plainQuery(query) {
    var words = query.replace(/\\[()[\]]|\$/g, " ").split(/\s+/).filter(Boolean);
    var joined = [];
    words.forEach(function (word) {
      var last = joined[joined.length - 1];
      if (last && /[\^_]/.test(word) && /[\^_]/.test(last)) joined[joined.length - 1] = last + word;
      else joined.push(word);
    });
    return joined.join(" ").replace(/[\^_{}]/g, "");
  }

  var Base = window.Worker;
  if (!Base) return;
  function MathWorker(url, options) {
    var worker = new Base(url, options);
    var post = worker.postMessage.bind(worker);
    worker.postMessage = function (message, transfer) {
      if (message && message.type === QUERY && typeof message.data === "string") {
        message = { type: QUERY, data: plainQuery(message.data) };
      }
      return transfer === undefined ? post(message) : post(message, transfer);
    };
    return worker;
  }
  window.Worker = MathWorker;
  window.plainSearchQuery = plainQuery;  // for the browser tests
})();
