/*
 * The coordinator's page, live: fetches /ui/state.json every second and redraws the step's figures, its charts over
 * time, the sweep so far and the workers, without reloading. Charts are uPlot's (served from the jar). Every text from
 * the server goes in through textContent, never as HTML. Each chart's element says what it shows in data-series and
 * data-points, for people and tests alike.
 */
(function () {
  'use strict';
  var COLORS = ['#2451b3', '#d1495b', '#2e933c', '#e59500', '#7b2cbf', '#00798c', '#6b7385', '#a4161a'];
  var NF0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  var NF1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
  var charts = {};
  var lastStatus = null;
  window.tokensiegeCharts = charts;

  function has(v) { return v !== null && v !== undefined && isFinite(v); }
  function num(v) { return has(v) ? (Math.abs(v) < 10 ? NF1 : NF0).format(v) : '—'; }
  function ms(v) {
    if (!has(v)) return '—';
    return v >= 10000 ? NF1.format(v / 1000) + ' s' : NF0.format(v) + ' ms';
  }
  function seconds(millis) { return has(millis) ? NF0.format(millis / 1000) + ' s' : '—'; }
  function text(id, t) {
    var e = document.getElementById(id);
    if (e && e.textContent !== t) e.textContent = t;
  }
  function get(o, k) { return o && has(o[k]) ? o[k] : null; }

  /* Draws (or redraws) one chart: x values, and series {label, values}. A log y axis when the values span more than 20x. */
  function draw(id, xLabel, yLabel, xs, series, format, ordinalX) {
    var el = document.getElementById(id);
    if (!el || typeof uPlot === 'undefined') return;
    var data = [xs].concat(series.map(function (s) { return s.values; }));
    var positive = [];
    series.forEach(function (s) { s.values.forEach(function (v) { if (has(v) && v > 0) positive.push(v); }); });
    var log = positive.length > 1 && Math.max.apply(null, positive) / Math.min.apply(null, positive) > 20;
    var key = series.map(function (s) { return s.label; }).join('|') + (log ? '|log' : '');
    var c = charts[id];
    if (c && c.key === key && c.plot.width === Math.max(300, el.clientWidth)) {
      c.plot.setData(data);
    } else {
      if (c) c.plot.destroy();
      var opts = {
        width: Math.max(300, el.clientWidth), height: 220,
        legend: { live: false },
        scales: { x: ordinalX ? { time: false, distr: 2 } : { time: false }, y: log ? { distr: 3 } : { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } } },
        series: [{ label: xLabel, value: function (u, v) { return has(v) ? NF1.format(v) : '—'; } }].concat(series.map(function (s, i) {
          return { label: s.label, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true, points: { show: true, size: 5 },
                   value: function (u, v) { return has(v) ? format(v) : '—'; } };
        })),
        axes: [ordinalX ? { label: xLabel, values: function (u, vals) { return vals.map(function (v) { return NF1.format(v); }); } }
          : { label: xLabel, incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600] }, { label: yLabel, size: 70, values: function (u, vals) { return vals.map(function (v) { return format(v); }); } }]
      };
      charts[id] = c = { key: key, plot: new uPlot(opts, data, el) };
    }
    el.dataset.series = series.map(function (s) { return s.label; }).join('|');
    el.dataset.points = String(xs.length);
    el.dataset.scale = log ? 'log' : 'linear';
  }

  function renderStep(s) {
    var step = s.step, live = s.live;
    text('step-label', step ? step.label : (s.run && s.run.status === 'running' ? 'between steps' : '—'));
    text('step-number', step ? '(' + step.number + ' of ' + step.of + ')' : '');
    text('step-target', step ? step.target + (step.simulated ? ' (simulated)' : '') : '—');
    text('step-level', step ? step.level : '—');
    text('step-elapsed', live ? 'elapsed ' + seconds(live.elapsed_millis) + (live.expected_millis > 0 ? ' of ' + seconds(live.expected_millis) : '')
      : (step && !step.start_epoch_millis ? 'workers getting ready' : '—'));
    var elapsed = document.getElementById('step-elapsed');
    if (elapsed) elapsed.dataset.stepStart = step && step.start_epoch_millis ? String(step.start_epoch_millis) : '';
    text('live-ttft-p50', ms(get(live, 'ttft_p50_ms')));
    text('live-ttft-p95', ms(get(live, 'ttft_p95_ms')));
    text('live-tok-s', num(get(live, 'output_tok_s')));
    text('live-in-flight', num(get(live, 'in_flight')));
    text('live-awaiting', num(get(live, 'awaiting_first_token')));
    text('live-done', live ? NF0.format(live.completed) + ' / ' + NF0.format(live.errors) : '—');
    var h = s.history || [];
    var xs = h.map(function (p) { return p.elapsed_millis / 1000; });
    function col(k) { return h.map(function (p) { return get(p, k); }); }
    draw('chart-ttft', 'seconds into the step', 'ms', xs, [{ label: 'TTFT p50', values: col('ttft_p50_ms') }, { label: 'TTFT p95', values: col('ttft_p95_ms') }], ms);
    draw('chart-toks', 'seconds into the step', 'tok/s', xs, [{ label: 'output tok/s', values: col('output_tok_s') }], num);
    draw('chart-inflight', 'seconds into the step', 'requests', xs, [{ label: 'in flight', values: col('in_flight') },
      { label: 'before first token', values: col('awaiting_first_token') }], num);
  }

  function renderSweep(sweeps) {
    sweeps = sweeps || [];
    var empty = document.getElementById('sweep-empty');
    if (empty) empty.style.display = sweeps.length ? 'none' : '';
    var levels = [];
    sweeps.forEach(function (c) { c.points.forEach(function (p) { if (levels.indexOf(p.level) < 0) levels.push(p.level); }); });
    levels.sort(function (a, b) { return a - b; });
    var unit = sweeps.length && sweeps.every(function (c) { return c.open_loop; }) ? 'requests per second' : 'streams (load level)';
    function series(k) {
      return sweeps.map(function (c) {
        return { label: c.target + ' / ' + c.scenario, values: levels.map(function (l) {
          var p = c.points.filter(function (q) { return q.level === l; })[0];
          return p ? get(p, k) : null;
        }) };
      });
    }
    draw('chart-sweep-toks', unit, 'tok/s', levels, series('aggregate_tok_s'), num, true);
    draw('chart-sweep-ttft-p50', unit, 'ms', levels, series('ttft_p50_ms'), ms, true);
    draw('chart-sweep-ttft-p95', unit, 'ms', levels, series('ttft_p95_ms'), ms, true);
    draw('chart-sweep-decode', unit, 'tok/s', levels, series('decode_p50_tok_s'), num, true);
  }

  function renderWorkers(workers, loadStep) {
    var body = document.querySelector('#workers-table tbody');
    if (!body) return;
    var rows = document.createDocumentFragment();
    (workers || []).forEach(function (w) {
      var tr = document.createElement('tr');
      var load = w.load;
      var cells = [w.id, w.host, String(w.cores), w.alive ? 'connected' : 'lost' + (w.lost_reason ? ': ' + w.lost_reason : ''),
        has(w.clock_offset_ms) ? NF1.format(w.clock_offset_ms) + ' ms' + (w.clock_rtt_ms > 0 ? ' (± ' + NF1.format(w.clock_rtt_ms / 2) + ')' : '') : '—',
        load ? NF1.format(load.event_loop_delay_p90_ms) + ' ms' : '—', load ? NF0.format(load.cpu_percent) + ' %' : '—',
        load ? NF0.format(load.gc_millis) + ' ms' : '—', load ? (load.client_bound ? 'yes' : 'no') : '—'];
      cells.forEach(function (c, i) {
        var td = document.createElement('td');
        td.textContent = c;
        if (i === 8 && load && load.client_bound) td.className = 'warn';
        tr.appendChild(td);
      });
      rows.appendChild(tr);
    });
    if (!(workers || []).length) {
      var tr = document.createElement('tr'), td = document.createElement('td');
      td.colSpan = 9;
      td.textContent = 'No worker has joined: start one with tokensiege worker --join HOST.';
      tr.appendChild(td);
      rows.appendChild(tr);
    }
    body.replaceChildren(rows);
    text('load-step', loadStep ? '(' + loadStep + ')' : '');
  }

  function renderRun(s) {
    var status = s.run ? s.run.status : null;
    text('run-id', s.run ? s.run.id : '—');
    var badge = document.getElementById('run-status');
    if (badge) { badge.textContent = status || 'no run yet'; badge.className = 'badge ' + (status || 'idle'); }
    var stop = document.getElementById('stop');
    if (stop) stop.disabled = status !== 'running';
    text('progress', (s.progress || []).join('\n'));
    var list = document.getElementById('failures');
    if (list) {
      var items = document.createDocumentFragment();
      (s.failures || []).forEach(function (f) { var li = document.createElement('li'); li.textContent = f; items.appendChild(li); });
      list.replaceChildren(items);
    }
    // A run that just ended has new files: reload once so the run list shows them.
    if (lastStatus === 'running' && status && status !== 'running') setTimeout(function () { location.reload(); }, 500);
    lastStatus = status;
  }

  function tick() {
    fetch('/ui/state.json', { credentials: 'same-origin', cache: 'no-store' }).then(function (r) {
      if (r.status === 401) { location.reload(); return null; }
      return r.ok ? r.json() : null;
    }).then(function (s) {
      if (!s) return;
      renderRun(s);
      renderStep(s);
      renderSweep(s.sweeps);
      renderWorkers(s.workers, s.load_step);
      document.body.dataset.updated = String(Date.now());
    }).catch(function () { /* the coordinator may be restarting: the next tick tries again */ });
  }

  function loadPlanFile() {
    var input = document.getElementById('plan-file');
    if (!input) return;
    function load() {
      var f = input.files && input.files[0];
      if (!f) return;
      f.text().then(function (t) {
        document.getElementById('plan-text').value = t;
        document.getElementById('plan-name').value = f.name;
      });
    }
    input.addEventListener('change', load);
    // A file picked while the page was still loading, before this listener existed, loads too; text typed or restored
    // by the browser (no longer what the server drew) is kept.
    var text = document.getElementById('plan-text');
    if (text && text.value === text.defaultValue) load();
  }

  document.addEventListener('DOMContentLoaded', function () {
    loadPlanFile();
    tick();
    setInterval(tick, 1000);
  });
})();
