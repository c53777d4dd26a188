#!/usr/bin/env python3
"""Markdown report for tests/bench/mirror-bench.sh.

usage: mirror-bench-report.py META_JSON RUNS_JSONL MEMORY_JSON [OUT_MD] [OUT_JSON]

Prints the report (medians over repeats, ratios against nginx-mirror, targets met / not met)
and writes it to OUT_MD and the raw figures to OUT_JSON when those are given (non-empty).
"""
import json
import statistics
import sys

# Each row is compared with nginx's mirror against the same v2.
PEER = {
    "direct": "nginx-mirror",
    "nginx-plain": "nginx-mirror",
    "nginx-mirror": "nginx-mirror",
    "mirrorscope": "nginx-mirror",
    "nginx-mirror-slow": "nginx-mirror-slow",
    "mirrorscope-slow": "nginx-mirror-slow",
    "nginx-mirror-dead": "nginx-mirror-dead",
    "mirrorscope-dead": "nginx-mirror-dead",
}
LABEL = {
    "direct": "direct (wrk -> v1, the limit)",
    "nginx-plain": "nginx proxy, no mirror",
    "nginx-mirror": "nginx mirror, healthy v2",
    "nginx-mirror-slow": "nginx mirror, slow v2",
    "nginx-mirror-dead": "nginx mirror, dead v2",
    "mirrorscope": "**mirrorscope, healthy v2**",
    "mirrorscope-slow": "**mirrorscope, slow v2**",
    "mirrorscope-dead": "**mirrorscope, dead v2**",
}


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def derive(r):
    w = r["wrk"]
    n = w["requests"]
    tck = r["clk_tck"]
    r["rps"] = n / (w["duration_us"] / 1e6) if w["duration_us"] else None
    r["errors"] = w["err_status"] + w["err_connect"] + w["err_read"] + w["err_write"] + w["err_timeout"]
    v2 = r.get("v2_received")
    r["delivery"] = (v2 / n) if (n and v2 is not None) else None
    t = r["ticks"]
    r["proxy_us"] = (t["proxy"] / tck * 1e6 / n) if n and r["scenario"] != "direct" else None
    r["server_us"] = ((t["proxy"] + t["v1"] + t["v2"]) / tck * 1e6 / n) if n else None
    r["v2_us"] = (t["v2"] / tck * 1e6 / n) if n and r.get("v2_received") else None
    return r


def summarise(runs):
    order, groups = [], {}
    for r in runs:
        s = r["scenario"]
        if s not in groups:
            groups[s] = []
            order.append(s)
        groups[s].append(r)
    rows = {}
    for s in order:
        ok = [derive(r) for r in groups[s] if r.get("wrk")]
        row = {
            "scenario": s,
            "runs": len(groups[s]),
            "failed": len(groups[s]) - len(ok),
            "failures": sorted({r["error"] for r in groups[s] if r.get("error")}),
        }
        for k in ("rps", "delivery", "proxy_us", "server_us", "v2_us", "v1_received", "v2_received", "v2_conns"):
            row[k] = med([r.get(k) for r in ok])
        row["p50_us"] = med([r["wrk"]["p50_us"] for r in ok])
        row["p99_us"] = med([r["wrk"]["p99_us"] for r in ok])
        row["errors"] = sum(r["errors"] for r in ok) if ok else None
        row["rps_range"] = (min(r["rps"] for r in ok), max(r["rps"] for r in ok)) if len(ok) > 1 else None
        stats = [r["stats"] for r in ok if r.get("stats")]
        if stats:
            row["mirrors_dropped"] = med([st.get("mirrorsDropped") for st in stats])
            row["mirrors_failed"] = med([st.get("mirrorsFailed") for st in stats])
        rows[s] = row
    return rows


def f_int(v):
    return "–" if v is None else "{:,.0f}".format(v)


def f_ms(us):
    return "–" if us is None else ("%.2f ms" % (us / 1000.0) if us < 100000 else "%.0f ms" % (us / 1000.0))


def f_ratio(a, b):
    return "–" if a is None or not b else "%.2f×" % (a / b)


def f_delivery(row):
    if row["scenario"] in ("direct", "nginx-plain"):
        return "–"
    if row["scenario"].endswith("-dead"):
        return "– (refused)"
    return "–" if row["delivery"] is None else "%.4f" % row["delivery"]


def target(desc, ok, value):
    return {"target": desc, "value": value, "met": ok}


def targets(rows, mem):
    t = []
    ms, ng = rows.get("mirrorscope"), rows.get("nginx-mirror")
    if ms and ng and ms["rps"] and ng["rps"]:
        t.append(target("healthy v2: throughput ≥ 2× nginx-mirror", ms["rps"] >= 2 * ng["rps"],
                        "%s vs %s req/s (%s)" % (f_int(ms["rps"]), f_int(ng["rps"]), f_ratio(ms["rps"], ng["rps"]))))
        t.append(target("healthy v2: p99 ≤ nginx-mirror's", ms["p99_us"] <= ng["p99_us"],
                        "%s vs %s" % (f_ms(ms["p99_us"]), f_ms(ng["p99_us"]))))
    if ms and ms["delivery"] is not None:
        t.append(target("healthy v2: delivery ≥ 0.999", ms["delivery"] >= 0.999, "%.4f" % ms["delivery"]))
    for mode in ("slow", "dead"):
        r = rows.get("mirrorscope-" + mode)
        if not (ms and r and ms["rps"] and r["rps"]):
            continue
        t.append(target("%s v2: throughput ≥ 0.9× healthy" % mode, r["rps"] >= 0.9 * ms["rps"],
                        "%s vs %s req/s (%s)" % (f_int(r["rps"]), f_int(ms["rps"]), f_ratio(r["rps"], ms["rps"]))))
        t.append(target("%s v2: p99 ≤ 1.2× healthy" % mode, r["p99_us"] <= 1.2 * ms["p99_us"],
                        "%s vs %s (%s)" % (f_ms(r["p99_us"]), f_ms(ms["p99_us"]), f_ratio(r["p99_us"], ms["p99_us"]))))
    if mem and "rss_kb" in mem:
        s, m, e = (x / 1024.0 for x in mem["rss_kb"])
        peak = mem["hwm_kb"] / 1024.0
        t.append(target("memory: peak RSS < 200 MB", peak < 200, "peak %.1f MB" % peak))
        t.append(target("memory: flat (end ≤ middle + 10 %)", e <= m * 1.1,
                        "%.1f → %.1f → %.1f MB" % (s, m, e)))
    return t


def main():
    meta = json.load(open(sys.argv[1]))
    runs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
    mem_text = open(sys.argv[3]).read().strip()
    mem = json.loads(mem_text) if mem_text else None
    out_md = sys.argv[4] if len(sys.argv) > 4 else ""
    out_json = sys.argv[5] if len(sys.argv) > 5 else ""
    rows = summarise(runs)
    tgt = targets(rows, mem)

    L = []
    L.append("# Mirroring benchmark: Mirrorscope vs nginx")
    L.append("")
    L.append("- date: %s" % meta["date"])
    L.append("- command: `%s`" % meta["command"])
    L.append("- box: %s, %s; %s; %s; mirrorscope %s" % (meta["cpu"], meta["kernel"], meta["nginx"], meta["wrk"],
                                                          meta["mirrorscope"]))
    L.append("- load: wrk -t1 -c%d, %d s per run (+%d s warm-up), %d run(s) per scenario (medians); "
             "proxy workers %d (nginx worker_processes and mirrorscope --workers); slow v2 answers after %d ms"
             % (meta["conns"], meta["duration_s"], meta["warmup_s"], meta["runs"], meta["workers"], meta["slow_ms"]))
    L.append("- pinning: %s" % meta["pinning"])
    L.append("")
    if rows:
        L.append("| scenario | req/s | p50 | p99 | errors | v2 delivery | proxy CPU µs/req "
                 "| req/s vs nginx-mirror | p99 vs nginx-mirror | CPU/req vs nginx-mirror |")
        L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for s, r in rows.items():
            if r["rps"] is None:
                L.append("| %s | failed: %s |||||||||" % (LABEL.get(s, s), "; ".join(r["failures"])))
                continue
            peer = rows.get(PEER.get(s, ""))
            rps = f_int(r["rps"])
            if r["rps_range"]:
                rps += " [%s–%s]" % (f_int(r["rps_range"][0]), f_int(r["rps_range"][1]))
            L.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                LABEL.get(s, s), rps, f_ms(r["p50_us"]), f_ms(r["p99_us"]), f_int(r["errors"]), f_delivery(r),
                "–" if r["proxy_us"] is None else "%.0f" % r["proxy_us"],
                f_ratio(r["rps"], peer and peer["rps"]), f_ratio(r["p99_us"], peer and peer["p99_us"]),
                f_ratio(r["proxy_us"], peer and peer["proxy_us"])))
        L.append("")
        L.append("Ratios compare each row with nginx's mirror against the same v2 (healthy, slow or dead). "
                 "Delivery = requests v2 received / requests wrk completed. Errors = non-2xx + socket errors. "
                 "Proxy CPU = utime+stime of the proxy process(es) over the measured run / requests.")
        L.append("")
        L.append("| scenario | v1 received | v2 received | v2 connections | server CPU µs/req (proxy+v1+v2) "
                 "| of which v2 | mirrors dropped / failed (mirrorscope report) |")
        L.append("|---|---:|---:|---:|---:|---:|---:|")
        for s, r in rows.items():
            if r["rps"] is None:
                continue
            drops = "–"
            if "mirrors_dropped" in r:
                drops = "%s / %s" % (f_int(r["mirrors_dropped"]), f_int(r["mirrors_failed"]))
            L.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                s, f_int(r["v1_received"]), f_int(r["v2_received"]), f_int(r["v2_conns"]),
                "–" if r["server_us"] is None else "%.0f" % r["server_us"],
                "–" if r["v2_us"] is None else "%.0f" % r["v2_us"], drops))
        L.append("")
    if mem:
        L.append("## Memory: mirrorscope with v2 blackholed (accepts, never answers)")
        L.append("")
        if "rss_kb" not in mem:
            L.append("failed: %s" % mem.get("error"))
        else:
            st = mem.get("stats") or {}
            ws = [w for w in mem["wrk"] if w]
            done = sum(w["requests"] for w in ws)
            errs = sum(w["err_status"] + w["err_connect"] + w["err_read"] + w["err_write"] + w["err_timeout"]
                       for w in ws)
            s, m, e = (x / 1024.0 for x in mem["rss_kb"])
            L.append("| requests (wrk) | VmRSS start | middle | end | peak (VmHWM) | mirrors sent | dropped "
                     "(in-flight limit) | failed (timed out) | reached v2 | errors | wall |")
            L.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            L.append("| %s | %.1f MB | %.1f MB | %.1f MB | %.1f MB | %s | %s (%s) | %s (%s) | %s | %s | %.0f s |" % (
                f_int(done), s, m, e, mem["hwm_kb"] / 1024.0, f_int(st.get("mirrorsSent")),
                f_int(st.get("mirrorsDropped")), f_int(st.get("mirrorsDroppedInFlightLimit")),
                f_int(st.get("mirrorsFailed")), f_int(st.get("mirrorsTimedOut")), f_int(mem["v2_received"]),
                f_int(errs), mem["wall_s"]))
            L.append("")
            L.append("Middle = after COUNT/2 requests, end = after COUNT (%s), both sampled while the proxy "
                     "still runs; drops and failures come from `mirrorscope proxy --report` after SIGTERM."
                     % f_int(mem["count"]))
        L.append("")
    if tgt:
        L.append("## Targets (ratios within this run)")
        L.append("")
        L.append("| target | measured | |")
        L.append("|---|---|---|")
        for x in tgt:
            L.append("| %s | %s | %s |" % (x["target"], x["value"], "met" if x["met"] else "**not met**"))
        L.append("")
    text = "\n".join(L)
    print(text)
    if out_md:
        with open(out_md, "w") as f:
            f.write(text + "\n")
    if out_json:
        with open(out_json, "w") as f:
            json.dump({"meta": meta, "summary": rows, "targets": tgt, "memory": mem, "runs": runs}, f, indent=1)


if __name__ == "__main__":
    main()
