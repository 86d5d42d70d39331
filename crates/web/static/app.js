// Draws a small SVG line chart of a pupil's ability scores from the JSON API, without inline
// script (CSP) and without any third-party code. The page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".chart[data-scores]").forEach(function (el) {
    fetch(el.getAttribute("data-scores"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (rows) {
        var pts = rows.filter(function (r) { return typeof r.ability === "number"; })
          .map(function (r) { return { t: Date.parse(r.date), v: r.ability, k: r.test }; });
        if (pts.length < 2) { return; }
        var ns = "http://www.w3.org/2000/svg", w = 600, h = 200, pad = 30;
        var t0 = Math.min.apply(null, pts.map(function (p) { return p.t; }));
        var t1 = Math.max.apply(null, pts.map(function (p) { return p.t; }));
        var v0 = Math.min.apply(null, pts.map(function (p) { return p.v; }));
        var v1 = Math.max.apply(null, pts.map(function (p) { return p.v; }));
        var x = function (t) { return pad + (w - 2 * pad) * (t - t0) / Math.max(1, t1 - t0); };
        var y = function (v) { return h - pad - (h - 2 * pad) * (v - v0) / Math.max(1, v1 - v0); };
        var svg = document.createElementNS(ns, "svg");
        svg.setAttribute("viewBox", "0 0 " + w + " " + h);
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", "Vaardigheidsscores door de tijd");
        pts.forEach(function (p) {
          var c = document.createElementNS(ns, "circle");
          c.setAttribute("cx", x(p.t)); c.setAttribute("cy", y(p.v)); c.setAttribute("r", 3);
          c.setAttribute("fill", "#0b5394");
          var title = document.createElementNS(ns, "title");
          title.textContent = p.k + ": " + p.v;
          c.appendChild(title);
          svg.appendChild(c);
        });
        el.appendChild(svg);
      })
      .catch(function () {});
  });
});
