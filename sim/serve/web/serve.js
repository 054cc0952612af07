/* rxsim serve: the lab's only script (served as /static/serve.js).  It polls
 * the JSON endpoints the server offers and updates the page in place; every
 * page also works without it (reload by hand).  Text goes in through
 * textContent only, never innerHTML. */
"use strict";

function rxFetchJSON(url) {
  return fetch(url, { cache: "no-store" }).then(function (r) {
    if (!r.ok) throw new Error(url + ": " + r.status);
    return r.json();
  });
}

/* /jobs/ID: poll the status while queued or running; reload when finished
 * (done, failed, or cancelled, perhaps from another tab). */
function rxWatchJob() {
  var st = document.getElementById("job-state");
  if (!st) return;
  var id = st.getAttribute("data-job");
  st.className = st.textContent;
  if (st.textContent !== "queued" && st.textContent !== "running") return;
  var tick = function () {
    rxFetchJSON("/jobs/" + id + "/status").then(function (j) {
      st.textContent = j.state;
      st.className = j.state;
      var p = document.getElementById("job-progress");
      if (p) p.textContent = j.progress || "";
      var e = document.getElementById("job-elapsed");
      if (e) e.textContent = j.elapsed_s.toFixed(1) + " s" + (j.state === "queued" ? " waiting" : "");
      var s = document.getElementById("job-step");
      if (s) s.textContent = j.state === "running" && j.steps > 1 ? "(step " + j.step + " of " + j.steps + ")" : "";
      if (j.state === "done" || j.state === "failed" || j.state === "cancelled") window.location.reload();
      else setTimeout(tick, 500);
    }).catch(function () { setTimeout(tick, 2000); });
  };
  setTimeout(tick, 300);
}

/* /: fill in trace summaries as the inspect workers finish. */
function rxWatchTraces() {
  var table = document.getElementById("traces");
  if (!table || !table.querySelector('tr[data-state="summarizing"]')) return;
  var fmt = function (n) {
    var u = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0;
    while (n >= 1024 && i < 4) { n /= 1024; i++; }
    return i ? n.toFixed(1) + " " + u[i] : n + " " + u[i];
  };
  var tick = function () {
    rxFetchJSON("/traces.json").then(function (j) {
      var pending = 0;
      j.traces.forEach(function (t) {
        var rows = table.querySelectorAll("tr[data-trace]");
        var row = null;
        for (var i = 0; i < rows.length; i++)
          if (rows[i].getAttribute("data-trace") === t.name) row = rows[i];
        if (!row || row.getAttribute("data-state") !== "summarizing") return;
        if (t.state === "summarizing") { pending++; return; }
        while (row.cells.length > 3) row.deleteCell(3);
        if (t.state === "failed") {
          var c = row.insertCell(-1);
          c.colSpan = 9; c.className = "error"; c.textContent = t.error || "failed";
        } else {
          var m = t.summary;
          var vals = [m.format + " " + m.link_type + (m.partial ? " (partial)" : ""), m.records, m.frames,
                      m.tcp_segments, m.connections, fmt(m.bytes_delivered), m.bad_checksum_segments, m.drops,
                      m.span_s.toFixed(3) + " s"];
          vals.forEach(function (v, k) {
            var cell = row.insertCell(-1);
            cell.textContent = String(v);
            if (k > 0) cell.className = "num";
          });
        }
        row.setAttribute("data-state", t.state);
      });
      if (pending) setTimeout(tick, 1000);
    }).catch(function () { setTimeout(tick, 3000); });
  };
  setTimeout(tick, 500);
}

/* The form: dim the vary boxes while kind is run. */
function rxForm() {
  var form = document.getElementById("job-form"), kind = document.getElementById("kind");
  if (!form || !kind) return;
  var upd = function () { form.className = "kind-" + kind.value; };
  kind.addEventListener("change", upd);
  upd();
}

document.addEventListener("DOMContentLoaded", function () {
  rxWatchJob();
  rxWatchTraces();
  rxForm();
});
