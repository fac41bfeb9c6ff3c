// Draws the charts of a statistics page. The figures come from the JSON in
// <script type="application/json" id="chart-data">: {"charts": [{"id", "type", "title",
// "labels", "values"}]}; each chart goes into the element with that id. No inline script, so
// the page keeps its strict Content Security Policy.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    data.charts.forEach(function (c) {
      var el = document.getElementById(c.id);
      if (!el) return;
      var chart = echarts.init(el, null, { renderer: "canvas" });
      var option;
      if (c.type === "pie") {
        option = {
          title: { text: c.title, left: "center", textStyle: { fontSize: 14 } },
          tooltip: { trigger: "item" },
          series: [{
            type: "pie", radius: "55%", top: 24,
            // Every slice named with its figure, none left to a hover.
            label: { show: true, formatter: "{b}：{c}" }, minShowLabelAngle: 0, avoidLabelOverlap: true,
            data: c.labels.map(function (l, i) { return { name: l, value: c.values[i] }; })
          }]
        };
      } else if (c.type === "hbar") {
        // One bar per sub-union, names on the left axis in full, the figure at each bar's end.
        el.style.height = Math.max(240, 40 + c.labels.length * 28) + "px";
        chart.resize();
        option = {
          title: { text: c.title, left: "center", textStyle: { fontSize: 14 } },
          tooltip: { trigger: "axis" },
          grid: { left: 8, right: 40, top: 36, bottom: 8, containLabel: true },
          xAxis: { type: "value", minInterval: 1, name: "件" },
          yAxis: { type: "category", data: c.labels.slice().reverse(), axisLabel: { interval: 0 } },
          series: [{ type: "bar", data: c.values.slice().reverse(), label: { show: true, position: "right" } }]
        };
      } else {
        option = {
          title: { text: c.title, left: "center", textStyle: { fontSize: 14 } },
          tooltip: { trigger: "axis" },
          grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
          // Every label shown: turned when they would not fit side by side.
          xAxis: { type: "category", data: c.labels, axisLabel: { interval: 0, rotate: c.labels.length > 5 ? 30 : 0 } },
          yAxis: { type: "value", minInterval: 1, name: "件" },
          series: [{ type: c.type === "line" ? "line" : "bar", data: c.values, label: { show: true, position: "top" } }]
        };
      }
      chart.setOption(option);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
