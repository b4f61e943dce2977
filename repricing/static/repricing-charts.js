/* Draws every chart on the page from its embedded Vega-Lite spec.
   vega, vega-lite and vega-embed are served by the site itself (_static/vega),
   so the charts draw with no network. Each chart records the outcome in data-drawn. */
(function () {
  "use strict";
  function draw(holder) {
    var specNode = holder.querySelector('script[type="application/json"]');
    var view = holder.querySelector(".repricing-chart-view");
    try {
      var spec = JSON.parse(specNode.textContent);
      vegaEmbed(view, spec, {
        renderer: "svg",
        actions: { export: true, source: false, compiled: false, editor: false },
      }).then(function () {
        holder.dataset.drawn = "yes";
        holder.dataset.drawnAtMs = String(Math.round(performance.now()));
      }).catch(function (err) {
        holder.dataset.drawn = "error";
        view.textContent = "This chart could not be drawn: " + err;
        console.error("repricing chart " + holder.id + ": " + err);
      });
    } catch (err) {
      holder.dataset.drawn = "error";
      view.textContent = "This chart could not be drawn: " + err;
      console.error("repricing chart " + holder.id + ": " + err);
    }
  }
  function drawAll() {
    document.querySelectorAll(".repricing-chart").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
