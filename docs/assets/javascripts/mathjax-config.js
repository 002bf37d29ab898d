/*
 * MathJax 3 settings; loaded before the local copy of MathJax (assets/mathjax/),
 * which docs/hooks/site.py adds to every page.
 *
 * Two kinds of math on this site:
 * - Markdown pages: pymdownx.arithmatex (generic) wraps math in .arithmatex
 *   elements as \( \) and \[ \];
 * - notebook pages: mkdocs-jupyter leaves $...$ and $$...$$ as raw text
 *   (mkdocs-jupyter issue #227), inside .jupyter-wrapper.
 * Only those elements are typeset, so a stray "$" in prose stays a dollar.
 */
var MATH_CONTAINERS = ".arithmatex, .jupyter-wrapper";

window.MathJax = {
  // Math comes from contributors' text too (paper.yaml): the safe extension drops
  // \href links to anything but http(s) and file, and filters \class, \cssId and \style.
  loader: { load: ["ui/safe"] },
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true
  },
  startup: {
    // Typesetting is ours (below): only the math containers, and again after
    // instant navigation if that is ever switched on.
    typeset: false,
    ready: function () {
      MathJax.startup.defaultReady();
      // Chained on startup.promise so typesetting never overlaps, and so
      // waiting for MathJax.startup.promise waits for the page's math.
      var typesetPage = function () {
        MathJax.startup.promise = MathJax.startup.promise.then(function () {
          // Forget the math of a page that instant navigation replaced.
          MathJax.typesetClear();
          MathJax.texReset();
          return MathJax.typesetPromise(Array.from(document.querySelectorAll(MATH_CONTAINERS)));
        });
      };
      // Material's document$ emits for the first page and, with
      // navigation.instant, for every page swapped in afterwards.
      if (window.document$) window.document$.subscribe(typesetPage);
      else typesetPage();
    }
  }
};
