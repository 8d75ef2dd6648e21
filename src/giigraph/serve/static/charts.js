// Draws each chart of the page with Vega-Lite. A chart's data is a bundled query's answer, loaded as
// CSV from this server's SPARQL endpoint (the spec names the URL); without JavaScript the page shows
// the SVG that `giigraph build` drew from the same answer.
"use strict";
document.querySelectorAll("figure.chart .vega[data-spec]").forEach((el) => {
  vegaEmbed(el, JSON.parse(el.dataset.spec), {mode: "vega-lite", renderer: "svg", actions: false})
    .then(() => { el.closest("figure").dataset.drawn = "true"; })
    .catch((err) => { el.textContent = "The chart could not be drawn: " + err.message; });
});
