// The charts of the public ratings statistics: each .ratings-chart draws the data its
// json_script names (rating counts by level, the table below says the same) with ECharts.
// Without JavaScript, or without ECharts, the charts stay hidden and the tables remain.
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var colours = ["#1a7f37", "#4c9a2a", "#b08800", "#d1242f", "#82071e"];
  document.querySelectorAll(".ratings-chart[data-source]").forEach(function (el) {
    var source = document.getElementById(el.dataset.source);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    if (!data.names || !data.names.length) { return; }
    el.hidden = false;
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      aria: { enabled: true, label: { description: el.getAttribute("aria-label") || "" } },
      animation: false,
      color: colours,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: {
        type: "category",
        inverse: true,
        data: data.names,
        axisLabel: { width: 110, overflow: "truncate" }
      },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "levels", data: s.data };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
