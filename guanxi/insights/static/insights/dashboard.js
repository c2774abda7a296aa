/* Charts of the analytics dashboard, drawn with ECharts from the page's #chart-data.
   Every label comes from the page (translated there); this file has no text of its own. */
(function () {
  "use strict";

  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var chart = echarts.init(element);
    if (option.tooltip) {
      // Drawn on the canvas: ECharts' HTML tooltips carry inline styles, which the
      // Content-Security-Policy blocks.
      option.tooltip.renderMode = "richText";
    }
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function pyramid(data, el) {
    var levels = data.pyramid.slice().reverse();  // the top of the pyramid at the top
    return {
      tooltip: {},
      grid: { left: 140, right: 30, top: 10, bottom: 30 },
      xAxis: { type: "value", name: el.dataset.axis },
      yAxis: { type: "category", data: levels.map(function (l) { return l[0]; }) },
      series: [{ type: "bar", data: levels.map(function (l) { return l[1]; }) }]
    };
  }

  function heatmap(data, el) {
    var scores = ["1", "2", "3", "4", "5"];
    var max = Math.max.apply(null, data.heatmap.map(function (c) { return c[2]; }).concat([1]));
    return {
      tooltip: {},
      grid: { left: 60, right: 30, top: 10, bottom: 80 },
      xAxis: { type: "category", data: scores, name: el.dataset.x, nameLocation: "middle", nameGap: 30 },
      yAxis: { type: "category", data: scores, name: el.dataset.y, nameLocation: "middle", nameGap: 40 },
      visualMap: { min: 0, max: max, calculable: true, orient: "horizontal", left: "center", bottom: 0 },
      series: [{
        type: "heatmap", name: el.dataset.axis, label: { show: true },
        data: data.heatmap.map(function (c) { return [c[1] - 1, c[0] - 1, c[2]]; })
      }]
    };
  }

  function lorenz(data, el) {
    return {
      tooltip: { trigger: "axis" },
      grid: { left: 60, right: 30, top: 30, bottom: 50 },
      xAxis: { type: "value", min: 0, max: 1, name: el.dataset.x, nameLocation: "middle", nameGap: 30 },
      yAxis: { type: "value", min: 0, max: 1, name: el.dataset.y },
      series: [
        { type: "line", showSymbol: false, areaStyle: {}, data: data.lorenz },
        { type: "line", name: el.dataset.equality, showSymbol: false, lineStyle: { type: "dashed" }, data: [[0, 0], [1, 1]] }
      ]
    };
  }

  function clv(data, el) {
    var edges = data.clv_histogram.edges;
    var labels = data.clv_histogram.counts.map(function (_, i) {
      return Math.round(edges[i]) + "–" + Math.round(edges[i + 1]) + (i === edges.length - 2 ? "+" : "");
    });
    return {
      tooltip: {},
      grid: { left: 60, right: 30, top: 30, bottom: 70 },
      xAxis: { type: "category", data: labels, name: el.dataset.x, nameLocation: "middle", nameGap: 55, axisLabel: { rotate: 45 } },
      yAxis: { type: "value", name: el.dataset.y },
      series: [{ type: "bar", data: data.clv_histogram.counts }]
    };
  }

  function segments(data, el) {
    return {
      tooltip: { trigger: "axis" },
      legend: {},
      grid: { left: 60, right: 80, top: 40, bottom: 80 },
      xAxis: { type: "category", data: data.segments.map(function (s) { return s[0]; }), axisLabel: { rotate: 30 } },
      yAxis: [{ type: "value", name: el.dataset.axis }, { type: "value", name: el.dataset.revenue }],
      series: [
        { type: "bar", name: el.dataset.axis, data: data.segments.map(function (s) { return s[1]; }) },
        { type: "line", name: el.dataset.revenue, yAxisIndex: 1, data: data.segments.map(function (s) { return Math.round(s[2]); }) }
      ]
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("chart-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var charts = { "chart-pyramid": pyramid, "chart-heatmap": heatmap, "chart-lorenz": lorenz, "chart-clv": clv, "chart-segments": segments };
    Object.keys(charts).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { draw(id, charts[id](data, el)); }
    });
  });
}());
