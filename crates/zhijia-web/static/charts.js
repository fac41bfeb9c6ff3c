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
            type: "pie", radius: "60%", top: 24,
            data: c.labels.map(function (l, i) { return { name: l, value: c.values[i] }; })
          }]
        };
      } else {
        option = {
          title: { text: c.title, left: "center", textStyle: { fontSize: 14 } },
          tooltip: { trigger: "axis" },
          grid: { left: 40, right: 16, top: 40, bottom: 32 },
          xAxis: { type: "category", data: c.labels },
          yAxis: { type: "value", minInterval: 1 },
          series: [{ type: c.type === "line" ? "line" : "bar", data: c.values }]
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
