// Search results quote the page they found; Sphinx takes the quote from the page's HTML, where
// inline math is still raw TeX ("\(\mathbf{H}_{t-1}\)"), since MathJax only typesets it in the
// browser. This turns the TeX of each math element into plain letters ("H_t-1") before Sphinx
// cuts the quote. Opened from disk (file://), a browser refuses to read the pages, and Sphinx
// shows the titles alone.
"use strict";
(function () {
  function plain(tex) {
    return tex
      .replace(/^\s*(\\\(|\\\[|\$\$?)|(\\\)|\\\]|\$\$?)\s*$/g, "")
      .replace(/\\(left|right|big|Big|bigl|bigr|quad|qquad|[,;:! ])/g, " ")
      .replace(/\\[a-zA-Z]+\{([^{}]*)\}/g, "$1") // \mathbf{H} -> H
      .replace(/\\([a-zA-Z]+)/g, "$1") // \sigma -> sigma
      .replace(/[{}]/g, "")
      .replace(/\s+/g, " ")
      .trim();
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (typeof Search === "undefined" || typeof Search.htmlToText !== "function") return;
    const htmlToText = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const page = new DOMParser().parseFromString(htmlString, "text/html");
      page.querySelectorAll(".math").forEach((math) => {
        math.textContent = plain(math.textContent);
      });
      // Quote the article, not the theme's buttons around it ("Light Dark ..."): Sphinx reads
      // the element marked role="main", which in this theme holds both.
      const article = page.querySelector("article.bd-article");
      if (article) {
        page.querySelectorAll('[role="main"]').forEach((main) => main.removeAttribute("role"));
        article.setAttribute("role", "main");
      }
      return htmlToText(page.documentElement.outerHTML, anchor);
    };
  });
})();
