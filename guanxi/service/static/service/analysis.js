/* Charts of the case-analysis page, from #case-analysis-data: the root-cause Pareto (bars
   of complaints, a line of the cumulative share) and the common needs by month. Every
   label comes from the page; this file has no text of its own. */
(function () {
  "use strict";

  function percent(value) { return Math.round(value * 100) + "%"; }

  function pareto(data) {
    var C = window.GuanxiCharts;
    return {
      tooltip: { trigger: "axis" },
      legend: C.legend(),
      grid: C.grid({ bottom: C.narrow() ? C.slant : 8 }),
      xAxis: C.categories(data.causes),
      yAxis: [
        { type: "value", minInterval: 1 },
        { type: "value", min: 0, max: 1, axisLabel: { formatter: percent } }
      ],
      series: [
        { type: "bar", name: data.names.complaints, data: data.complaints },
        { type: "line", name: data.names.cumulative, yAxisIndex: 1, data: data.cumulative }
      ]
    };
  }

  function needs(data) {
    var C = window.GuanxiCharts;
    return {
      tooltip: { trigger: "axis" },
      legend: C.legend(),
      grid: C.grid(),
      xAxis: C.categories(data.months),
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) { return { type: "line", name: s.name, data: s.data }; })
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("case-analysis-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var charts = { "chart-pareto": pareto(data.pareto), "chart-needs": needs(data.needs) };
    Object.keys(charts).forEach(function (id) {
      var element = document.getElementById(id);
      if (element) { window.GuanxiCharts.draw(element, charts[id]); }
    });
  });
}());
