/* What every analytics chart shares: drawn as SVG (the browser test measures its text),
   labels kept inside the chart box, long legends scrolling, money axes in 万/亿 or K/M.
   Every label comes from the page (translated there); this file has no text of its own. */
(function () {
  "use strict";

  var narrow = function () { return window.innerWidth < 576; };

  // A grid that sizes itself around its axis labels instead of fixed pixel margins, which
  // clip long Chinese or English labels at some width.
  function grid(extra) {
    return Object.assign({ left: 8, right: 16, top: 40, bottom: 8, containLabel: true }, extra || {});
  }

  // containLabel measures a slanted label's height, not how far the first one reaches out
  // to the left of its tick: a grid with slanted labels keeps this much room there.
  var slant = 56;

  function legend(extra) {
    return Object.assign({ type: "scroll", top: 0, left: 0, right: 0 }, extra || {});
  }

  // A category axis whose labels turn and drop instead of running into each other.
  function categories(data, extra) {
    return Object.assign({
      type: "category",
      data: data,
      axisLabel: { rotate: narrow() ? 45 : 0, hideOverlap: true }
    }, extra || {});
  }

  function brief(value, money) {
    var sign = value < 0 ? "-" : "";
    var size = Math.abs(value);
    for (var i = 0; i < money.units.length; i += 1) {
      if (size >= money.units[i][0]) {
        return sign + money.currency + (size / money.units[i][0]).toLocaleString(undefined, { maximumFractionDigits: 1 }) + money.units[i][1];
      }
    }
    return sign + money.currency + size.toLocaleString(undefined, { maximumFractionDigits: 0 });
  }

  function draw(element, option) {
    var chart = echarts.init(element, null, { renderer: "svg" });
    if (option.tooltip) {
      // Drawn in the chart: ECharts' HTML tooltips carry inline styles, which the
      // Content-Security-Policy blocks.
      option.tooltip.renderMode = "richText";
    }
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  window.GuanxiCharts = { slant: slant, grid: grid, legend: legend, categories: categories, brief: brief, draw: draw, narrow: narrow };
}());
