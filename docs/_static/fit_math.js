// Display equations that are wider than the text column are scaled down to fit it.
// MathJax 3 (the site's, from sphinx-mathjax-offline) does not break a long display equation;
// on a phone several are wider than the screen. Each one is measured after MathJax typesets the
// page, and again when the window changes size; none is made smaller than MIN_SCALE (an
// equation that needs more is split in its notebook, and docs/tests/test_layout.py says which).
"use strict";
(function () {
  const MIN_SCALE = 0.55;

  function fit(container) {
    const base = container.dataset.fitBase || container.style.fontSize || "100%";
    container.dataset.fitBase = base;
    container.style.fontSize = base;
    // A numbered equation's container is at least as wide as the equation and its number
    // (MathJax gives it a min-width): measure against the block it sits in.
    const room = container.parentElement.clientWidth, need = container.scrollWidth;
    if (need > room + 1 && room > 0) {
      const scale = Math.max(MIN_SCALE, room / need);
      container.style.fontSize = `calc(${base} * ${scale.toFixed(3)})`;
    }
  }

  function fitAll() {
    document.querySelectorAll('mjx-container[display="true"]').forEach(fit);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const startup = window.MathJax && window.MathJax.startup;
    if (!startup || !startup.promise) return;
    startup.promise.then(fitAll);
    let pending = null;
    window.addEventListener("resize", () => {
      clearTimeout(pending);
      pending = setTimeout(fitAll, 100);
    });
  });
})();
