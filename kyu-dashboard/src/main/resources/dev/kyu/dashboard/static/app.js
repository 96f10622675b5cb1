// Kyu dashboard: live refresh of <main>, the per-minute chart, and confirmation of destructive actions.
// Served from the jar; no inline scripts, so the Content-Security-Policy can forbid them.
// The dashboard may live under a path (<body data-base="/kyu">): every dashboard URL the script fetches is
// written from the root ('/api/...') and goes through url(), which puts it under that base.
(function () {
  'use strict';
  var REFRESH_MS = 2000;
  var BASE = (document.body && document.body.getAttribute('data-base')) || '';

  function url(path) {
    return path.charAt(0) === '/' && path.charAt(1) !== '/' ? BASE + path : path;
  }
  var main = document.getElementById('main');
  var live = document.getElementById('live');
  var last = null;
  var chartState = {};

  // Typing into a field, or a form with data-keep whose fields were changed and not yet sent: a refresh
  // would throw the user's input away, so it waits.
  function busy() {
    var a = document.activeElement;
    if (main.querySelector('form[data-keep][data-changed]')) return true;
    return a && main.contains(a) && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(a.tagName) && a.tagName !== 'BUTTON';
  }

  function openDetails() {
    var open = [];
    main.querySelectorAll('details').forEach(function (d, i) { if (d.open) open.push(i); });
    return open;
  }

  function refresh() {
    if (document.visibilityState !== 'visible' || busy()) return;
    fetch(location.href, { headers: { 'X-Kyu-Partial': '1' }, credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.text();
      })
      .then(function (html) {
        live.classList.remove('stale');
        if (html === last) return;
        var open = openDetails();
        last = html;
        main.innerHTML = html;
        main.querySelectorAll('details').forEach(function (d, i) { d.open = open.indexOf(i) >= 0 || d.hasAttribute('open'); });
        wire();
      })
      .catch(function () { live.classList.add('stale'); });
  }

  function wire() {
    main.querySelectorAll('form[method=post] button[data-confirm]').forEach(function (b) {
      b.form.addEventListener('submit', function (e) {
        if (!window.confirm(b.getAttribute('data-confirm'))) e.preventDefault();
      });
    });
    main.querySelectorAll('form[data-keep]').forEach(function (f) {
      f.addEventListener('input', function () { f.setAttribute('data-changed', ''); });
    });
    main.querySelectorAll('select.chart-queue, select.chart-range').forEach(function (s) {
      var key = s.className;
      if (chartState[key] !== undefined) s.value = chartState[key];
      s.addEventListener('change', function () { chartState[key] = s.value; drawCharts(); });
    });
    drawCharts();
  }

  function drawCharts() {
    main.querySelectorAll('canvas.chart').forEach(function (canvas) {
      var q = chartState['chart-queue'] || '';
      var minutes = chartState['chart-range'] || '60';
      var statsUrl = url(canvas.getAttribute('data-stats')) + '?minutes=' + encodeURIComponent(minutes) + (q ? '&queue=' + encodeURIComponent(q) : '');
      fetch(statsUrl, { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (data) {
        draw(canvas, data);
      }).catch(function () {});
    });
  }

  function draw(canvas, data) {
    var ctx = canvas.getContext('2d');
    var w = canvas.width, h = canvas.height, pad = 30;
    var n = data.minutes;
    var start = Date.parse(data.since);
    var ok = new Array(n).fill(0), bad = new Array(n).fill(0), retry = new Array(n).fill(0);
    data.buckets.forEach(function (b) {
      var i = Math.round((Date.parse(b.minute) - start) / 60000);
      if (i >= 0 && i < n) { ok[i] = b.succeeded; bad[i] = b.failed; retry[i] = b.retried; }
    });
    var max = 1;
    for (var i = 0; i < n; i++) max = Math.max(max, ok[i], bad[i], retry[i]);
    ctx.clearRect(0, 0, w, h);
    ctx.font = '11px sans-serif';
    ctx.fillStyle = '#666';
    ctx.strokeStyle = '#ddd';
    ctx.beginPath(); ctx.moveTo(pad, h - pad); ctx.lineTo(w - 5, h - pad); ctx.stroke();
    ctx.fillText(String(max), 2, pad - 5 + 10);
    ctx.fillText('0', 2, h - pad);
    ctx.fillText(new Date(start).toLocaleTimeString(), pad, h - 8);
    ctx.fillText('now', w - 30, h - 8);
    function line(values, color) {
      ctx.strokeStyle = color; ctx.lineWidth = 2; ctx.beginPath();
      for (var i = 0; i < n; i++) {
        var x = pad + (w - pad - 5) * (n === 1 ? 1 : i / (n - 1));
        var y = h - pad - (h - 2 * pad) * values[i] / max;
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      }
      ctx.stroke();
    }
    line(retry, '#d9a400');
    line(ok, '#2e8b57');
    line(bad, '#c0392b');
    var summary = document.getElementById(canvas.id + '-summary');
    if (summary) summary.textContent = data.processed + ' processed, ' + data.failed + ' failed in the range shown';
  }

  if (main) {
    last = main.innerHTML;
    wire();
    setInterval(refresh, REFRESH_MS);
  }
})();
