/* Charts of the analytics dashboard, drawn with ECharts from the page's #chart-data and
   #trend-data, through GuanxiCharts (charts.js): every label stays inside its chart, at
   any width. Axis titles sit at the top of the axis, starting from it, or are left to the
   legend and the card's title: ECharts' containLabel makes room for tick labels only.
   Every label comes from the page (translated there); this file has no text of its own. */
(function () {
  "use strict";

  var C = window.GuanxiCharts;
  var money = { currency: "", units: [] };

  // An axis title above the axis, running away from it (right of a left axis, left of a
  // right one), so it never leaves the chart however long the language makes it.
  function titled(axis, name, side) {
    return Object.assign(axis, {
      name: name, nameLocation: "end", nameGap: 12,
      nameTextStyle: { align: side === "right" ? "right" : "left" }
    });
  }

  function pyramid(data, el) {
    var levels = data.pyramid.slice().reverse();  // the top of the pyramid at the top
    return {
      tooltip: {},
      grid: C.grid({ top: 16, bottom: 30 }),
      xAxis: { type: "value", name: el.dataset.axis, nameLocation: "middle", nameGap: 26 },
      yAxis: { type: "category", data: levels.map(function (l) { return l[0]; }) },
      series: [{ type: "bar", data: levels.map(function (l) { return l[1]; }) }]
    };
  }

  function heatmap(data, el) {
    var scores = ["1", "2", "3", "4", "5"];
    var max = Math.max.apply(null, data.heatmap.map(function (c) { return c[2]; }).concat([1]));
    return {
      tooltip: {},
      // room below the tick labels for the x title and the colour scale
      grid: C.grid({ top: 36, bottom: 70 }),
      xAxis: { type: "category", data: scores, name: el.dataset.x, nameLocation: "middle", nameGap: 28 },
      yAxis: titled({ type: "category", data: scores }, el.dataset.y),
      visualMap: { min: 0, max: max, calculable: true, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120 },
      series: [{
        type: "heatmap", name: el.dataset.axis, label: { show: true },
        data: data.heatmap.map(function (c) { return [c[1] - 1, c[0] - 1, c[2]]; })
      }]
    };
  }

  function lorenz(data, el) {
    return {
      tooltip: { trigger: "axis" },
      grid: C.grid({ top: 36, bottom: 36 }),
      xAxis: { type: "value", min: 0, max: 1, name: el.dataset.x, nameLocation: "middle", nameGap: 26 },
      yAxis: titled({ type: "value", min: 0, max: 1 }, el.dataset.y),
      series: [
        { type: "line", showSymbol: false, areaStyle: {}, data: data.lorenz },
        { type: "line", name: el.dataset.equality, showSymbol: false, lineStyle: { type: "dashed" }, data: [[0, 0], [1, 1]] }
      ]
    };
  }

  function clv(data, el) {
    var edges = data.clv_histogram.edges;
    var labels = data.clv_histogram.counts.map(function (_, i) {
      return C.brief(edges[i], money) + "–" + C.brief(edges[i + 1], money) + (i === edges.length - 2 ? "+" : "");
    });
    return {
      tooltip: {},
      grid: C.grid({ top: 36, left: C.slant }),
      xAxis: C.categories(labels, { axisLabel: { rotate: 45, hideOverlap: true } }),
      yAxis: titled({ type: "value" }, el.dataset.y),
      series: [{ type: "bar", name: el.dataset.x, data: data.clv_histogram.counts }]
    };
  }

  function segments(data, el) {
    return {
      tooltip: { trigger: "axis" },
      legend: C.legend(),
      grid: C.grid({ top: 40, left: C.slant }),
      xAxis: C.categories(data.segments.map(function (s) { return s[0]; }), { axisLabel: { rotate: 30, hideOverlap: true } }),
      yAxis: [
        { type: "value" },
        { type: "value", axisLabel: { formatter: function (v) { return C.brief(v, money); } } }
      ],
      series: [
        { type: "bar", name: el.dataset.axis, data: data.segments.map(function (s) { return s[1]; }) },
        { type: "line", name: el.dataset.revenue, yAxisIndex: 1, data: data.segments.map(function (s) { return Math.round(s[2]); }) }
      ]
    };
  }

  // Trends across runs: the runs' dates on a time axis (two runs a day stay apart).
  function timeline(trend, extra) {
    return Object.assign({
      tooltip: { trigger: "axis" },
      legend: C.legend(),
      grid: C.grid({ top: 56 }),
      xAxis: { type: "time", axisLabel: { formatter: "{MM}-{dd}", hideOverlap: true } },
      yAxis: { type: "value" }
    }, extra);
  }

  function points(trend, values) {
    return trend.dates.map(function (date, i) { return [date, values[i]]; });
  }

  function lines(trend, list, stacked) {
    return list.map(function (s) {
      return { type: "line", name: s.name, data: points(trend, s.data), stack: stacked ? "all" : undefined, areaStyle: stacked ? {} : undefined };
    });
  }

  var trends = {
    "chart-trend-counts": function (trend) {
      var series = lines(trend, trend.counts, false);
      series.push({ type: "line", name: trend.mean_score.name, yAxisIndex: 1, lineStyle: { type: "dashed" }, data: points(trend, trend.mean_score.data) });
      return timeline(trend, { yAxis: [{ type: "value" }, { type: "value" }], series: series });
    },
    "chart-trend-tiers": function (trend) { return timeline(trend, { series: lines(trend, trend.tiers, true) }); },
    "chart-trend-levels": function (trend) { return timeline(trend, { series: lines(trend, trend.levels, true) }); }
  };

  function drawAll(sourceId, charts) {
    var source = document.getElementById(sourceId);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    Object.keys(charts).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { C.draw(el, charts[id](data, el)); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") { return; }
    var units = document.getElementById("money-units");
    if (units) { money = JSON.parse(units.textContent); }
    drawAll("chart-data", { "chart-pyramid": pyramid, "chart-heatmap": heatmap, "chart-lorenz": lorenz, "chart-clv": clv, "chart-segments": segments });
    drawAll("trend-data", trends);
  });
}());
