/* Charts of the satisfaction dashboard, from #satisfaction-data: CSAT and NPS per month
   (answers as bars), and each service element placed by performance (x) and importance
   (y). Labels come from the page; drawn again after each HTMX swap. */
(function () {
  "use strict";

  function trend(data, names) {
    var C = window.GuanxiCharts;
    return {
      tooltip: { trigger: "axis" },
      legend: C.legend(),
      grid: C.grid({ top: 48 }),
      xAxis: C.categories(data.months),
      yAxis: [{ type: "value", min: -100, max: 100, name: names.nps }, { type: "value", min: 0, max: 5, name: names.csat }],
      series: [
        { type: "bar", name: names.responses, data: data.responses, yAxisIndex: 1, itemStyle: { opacity: 0.3 } },
        { type: "line", name: names.nps, data: data.nps, connectNulls: true },
        { type: "line", name: names.csat, data: data.csat, yAxisIndex: 1, connectNulls: true }
      ]
    };
  }

  function elements(data, names) {
    var C = window.GuanxiCharts;
    return {
      tooltip: { trigger: "item" },
      grid: C.grid({ top: 24, right: 32 }),
      xAxis: { type: "value", min: 1, max: 5, name: names.performance, nameLocation: "middle", nameGap: 24 },
      yAxis: { type: "value", min: 1, max: 5, name: names.importance },
      series: [{
        type: "scatter", symbolSize: 14, data: data.elements,
        label: { show: true, position: "right", formatter: function (p) { return p.name; } },
        markLine: { silent: true, symbol: "none", data: [{ xAxis: 3 }, { yAxis: 3 }] }
      }]
    };
  }

  function draw(root) {
    var source = root.querySelector("#satisfaction-data");
    var labels = root.querySelector("#satisfaction-names");
    if (!source || !labels || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var names = labels.dataset;
    var a = root.querySelector("#chart-satisfaction-trend");
    var b = root.querySelector("#chart-satisfaction-elements");
    if (a) { window.GuanxiCharts.draw(a, trend(data, names)); }
    if (b) { window.GuanxiCharts.draw(b, elements(data, names)); }
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function () { draw(document); });
}());
