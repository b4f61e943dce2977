/* Draws every chart on the page from its embedded Vega-Lite spec.
   vega, vega-lite and vega-embed are served by the site itself (_static/vega),
   so the charts draw with no network. Each chart records the outcome in data-drawn,
   and the theme it was drawn for in data-theme: when the page switches between its light
   and dark modes, every chart is drawn again with vega-embed's dark theme and its own greys
   swapped for light ones. */
(function () {
  "use strict";
  // the greys the book's charts use for text, rules and grid lines, and what each becomes on a dark page
  var ON_DARK = {"#333": "#dddddd", "#333333": "#dddddd", "#444": "#cccccc", "#555": "#bbbbbb",
                 "#666": "#aaaaaa", "#888": "#999999", "#888888": "#999999", "#999": "#888888",
                 "#999999": "#888888", "#e6e6e6": "#4a4a4a"};

  function pageTheme() {
    return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
  }

  function forDark(node) {
    if (typeof node === "string") {
      var swapped = ON_DARK[node.toLowerCase()];
      return swapped === undefined ? node : swapped;
    }
    if (Array.isArray(node)) return node.map(forDark);
    if (node && typeof node === "object") {
      var out = {};
      Object.keys(node).forEach(function (k) { out[k] = forDark(node[k]); });
      return out;
    }
    return node;
  }

  function fail(holder, view, err) {
    holder.dataset.drawn = "error";
    view.textContent = "This chart could not be drawn: " + err;
    console.error("repricing chart " + holder.id + ": " + err);
  }

  function draw(holder) {
    var specNode = holder.querySelector('script[type="application/json"]');
    var view = holder.querySelector(".repricing-chart-view");
    var theme = pageTheme();
    if (holder._embedded) { holder._embedded.finalize(); holder._embedded = null; }
    holder.dataset.drawn = "";
    holder.dataset.theme = theme;
    try {
      var spec = JSON.parse(specNode.textContent);
      var options = {renderer: "svg", actions: {export: true, source: false, compiled: false, editor: false}};
      if (theme === "dark") { spec = forDark(spec); options.theme = "dark"; }
      vegaEmbed(view, spec, options).then(function (result) {
        holder._embedded = result;
        holder.dataset.drawn = "yes";
        holder.dataset.drawnAtMs = String(Math.round(performance.now()));
      }).catch(function (err) { fail(holder, view, err); });
    } catch (err) {
      fail(holder, view, err);
    }
  }

  function drawAll() {
    document.querySelectorAll(".repricing-chart").forEach(draw);
    // redraw whenever the page's theme changes (the theme button sets <html data-theme>)
    new MutationObserver(function () {
      var theme = pageTheme();
      document.querySelectorAll(".repricing-chart").forEach(function (holder) {
        if (holder.dataset.theme !== theme) draw(holder);
      });
    }).observe(document.documentElement, {attributes: true, attributeFilter: ["data-theme"]});
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
