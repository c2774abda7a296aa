/* Charts of the KPI page, from the page's #kpi-data: periods on the x axis. */
(function () {
  "use strict";

  function percent(value) { return Math.round(value * 1000) / 10 + "%"; }

  function line(data, keys, extra) {
    var C = window.GuanxiCharts;
    return Object.assign({
      tooltip: { trigger: "axis" },
      legend: C.legend(),
      grid: C.grid({ left: C.narrow() ? C.slant : 8 }),  // labels slant on a phone
      xAxis: C.categories(data.periods),
      series: keys.map(function (key) {
        return { type: "line", name: data.names[key], data: data.series[key], connectNulls: false };
      })
    }, extra);
  }

  var charts = {
    "chart-kpi-rates": function (data) {
      return line(data, ["retention_rate", "churn_rate", "cross_sell_rate", "referral_rate"], {
        yAxis: { type: "value", min: 0, max: 1, axisLabel: { formatter: percent } }
      });
    },
    "chart-kpi-money": function (data) {
      var option = line(data, ["revenue_per_customer", "profit_per_customer"], {
        yAxis: { type: "value", axisLabel: { formatter: function (v) { return window.GuanxiCharts.brief(v, data); } } }
      });
      option.series.forEach(function (s) { s.type = "bar"; });
      return option;
    },
    "chart-kpi-products": function (data) {
      return line(data, ["products_per_customer"], { yAxis: { type: "value", min: 0 } });
    }
  };

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("kpi-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    Object.keys(charts).forEach(function (id) {
      var element = document.getElementById(id);
      if (element) { window.GuanxiCharts.draw(element, charts[id](data)); }
    });
  });
}());
