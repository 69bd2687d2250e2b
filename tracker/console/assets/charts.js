// Thin wrappers over Chart.js (Debian's libjs-chart.js, window.Chart). With
// no Chart.js every wrapper is a no-op that says so in its box.
import { el, replace } from "./lib.js";

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"];

function disabled(box) {
  replace(box, el("p", { className: "note" }, "Chart not shown: Chart.js is not available on this tracker."));
  return { set() {}, destroy() {} };
}

function canvasIn(box) {
  const canvas = el("canvas");
  replace(box, canvas);
  return canvas;
}

// Bars per category; set(labels, [{label, data}]).
export function barChart(box, ctx) {
  if (!ctx.charts) return disabled(box);
  const chart = new window.Chart(canvasIn(box), {
    type: "bar",
    data: { labels: [], datasets: [] },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
  });
  return {
    set(labels, datasets) {
      chart.data.labels = labels;
      chart.data.datasets = datasets.map((d, i) => ({ ...d, backgroundColor: COLORS[i % COLORS.length] }));
      chart.update();
    },
    destroy: () => chart.destroy(),
  };
}

// Lines over time (x: unix seconds); datasets may name yAxisID "rate".
export function timeChart(box, ctx, yTitle, rateTitle) {
  if (!ctx.charts) return disabled(box);
  const fmt = (v) => new Date(v * 1000).toLocaleTimeString();
  const chart = new window.Chart(canvasIn(box), {
    type: "line",
    data: { datasets: [] },
    options: {
      animation: false, maintainAspectRatio: false, parsing: false, normalized: true,
      elements: { point: { radius: 0 } },
      scales: {
        x: { type: "linear", ticks: { callback: fmt, maxTicksLimit: 8 } },
        y: { beginAtZero: true, title: { display: true, text: yTitle } },
        rate: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: rateTitle } },
      },
      plugins: { tooltip: { callbacks: { title: (items) => items.length ? fmt(items[0].parsed.x) : "" } } },
    },
  });
  return {
    set(datasets) {
      chart.data.datasets = datasets.map((d, i) => ({ ...d, borderColor: COLORS[i % COLORS.length],
        backgroundColor: COLORS[i % COLORS.length], borderWidth: 2 }));
      chart.update();
    },
    destroy: () => chart.destroy(),
  };
}

// A doughnut of named parts; set(labels, values).
export function doughnut(box, ctx) {
  if (!ctx.charts) return disabled(box);
  const chart = new window.Chart(canvasIn(box), {
    type: "doughnut",
    data: { labels: [], datasets: [{ data: [], backgroundColor: COLORS.slice(0, 3) }] },
    options: { animation: false, maintainAspectRatio: false, plugins: { legend: { position: "right" } } },
  });
  return {
    set(labels, values) { chart.data.labels = labels; chart.data.datasets[0].data = values; chart.update(); },
    destroy: () => chart.destroy(),
  };
}
