/* Charts of the process-KPI dashboard, from #process-kpi-data: one bar per group, groups
   on the vertical axis so that long names never clip; drawn again after each HTMX swap. */
(function () {
  "use strict";

  var ROW = 28;  // pixels per group: a chart grows with its groups instead of squeezing them

  function percent(value) { return Math.round(value * 1000) / 10 + "%"; }

  function bars(data, series, axis) {
    var C = window.GuanxiCharts;
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: C.legend(),
      grid: C.grid({ right: 48 }),  // room for the value axis's last label ("100%", "¥1.5万")
      yAxis: { type: "category", data: data.groups, inverse: true, axisLabel: { width: C.narrow() ? 96 : 200, overflow: "break", lineHeight: 16 } },
      xAxis: Object.assign({ type: "value" }, axis || {}),
      series: series.map(function (s) { return Object.assign({ type: "bar" }, s); })
    };
  }

  var share = { min: 0, axisLabel: { formatter: percent } };

  var charts = {
    "chart-contacts": function (data) {
      return bars(data, data.contacts.map(function (s) { return { name: s.name, data: s.data }; }), share);
    },
    "chart-coverage": function (data) {
      return bars(data, [{ name: data.names.coverage, data: data.coverage }], { min: 0, max: 1, axisLabel: { formatter: percent } });
    },
    "chart-response": function (data) {
      return bars(data, [{ name: data.names.median, data: data.median }, { name: data.names.p90, data: data.p90 }]);
    },
    "chart-win-rate": function (data) {
      return bars(data, [{ name: data.names.win_rate, data: data.win_rate }], { min: 0, max: 1, axisLabel: { formatter: percent } });
    },
    "chart-revenue": function (data) {
      return bars(data, [
        { name: data.names.revenue_new, data: data.revenue_new, stack: "revenue" },
        { name: data.names.revenue_other, data: data.revenue_other, stack: "revenue" }
      ], { axisLabel: { formatter: function (v) { return window.GuanxiCharts.brief(v, data); } } });
    },
    "chart-funnel": function (data) {
      var funnel = data.funnels[0] || { stages: [], entered: [], conversion: [] };
      var stages = { groups: funnel.stages };
      var option = bars(stages, [{ name: data.names.entered, data: funnel.entered }]);
      option.xAxis = [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 1, axisLabel: { formatter: percent } }];
      option.series.push({ type: "line", name: data.names.conversion, xAxisIndex: 1, data: funnel.conversion, connectNulls: false });
      return option;
    }
  };

  function draw(root) {
    var source = root.querySelector("#process-kpi-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    Object.keys(charts).forEach(function (id) {
      var element = root.querySelector("#" + id);
      if (!element) { return; }
      var rows = id === "chart-funnel" ? (data.funnels[0] || { stages: [] }).stages.length : data.groups.length;
      element.style.height = Math.max(320, 80 + rows * ROW) + "px";
      window.GuanxiCharts.draw(element, charts[id](data));
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  // With an outerHTML swap the event's target is the replaced element: draw the new one.
  document.addEventListener("htmx:afterSettle", function () { draw(document); });
}());
