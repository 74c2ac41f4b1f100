#!/usr/bin/env python3
"""Prints the runs in artifacts/bench/*.jsonl (or the files given) as Markdown tables for docs/benchmarks.md."""
import glob, json, sys

files = sys.argv[1:] or sorted(glob.glob("artifacts/bench/*.jsonl"))

def ms(s, key):
    return "-" if not s or not s.get("count") else f"{s[key]:.0f}" if s[key] >= 10 else f"{s[key]:.1f}"

def usage(u):
    return "-" if not u else f"{u['averageCores']*100:.0f} % (peak {u['peakCores']*100:.0f} %)"

for f in files:
    rows = [json.loads(l) for l in open(f) if l.strip()]
    swarm = [r for r in rows if r["kind"] == "swarm"]
    bare = [r for r in rows if r["kind"] == "bare"]
    if swarm:
        print(f"\n{f}\n")
        print("| run | date (UTC) | load avg | devices | hb/s offered → handled | server CPU (1 core = 100 %) | server RSS | alarms raised / police-acked | press→received p50 / p99 / max ms | press→police_ack p50 / p99 / max ms | drain s | false offline | connect failures |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in swarm:
            m = r["machine"]
            rec, pol = r.get("pressToReceived"), r.get("pressToPoliceAck")
            notes = r.get("notes", "")
            load = notes.split("|")[0].replace("load avg", "").strip()
            print(f"| {r['label']} | {m['utcNow'][:16].replace('T',' ')} | {load} | {r.get('devices')} | "
                  f"{r.get('offeredRatePerSecond', 0):.0f} → {(r.get('heartbeatsPerSecond') or 0):.0f} | {usage(r.get('server'))} | "
                  f"{r['server']['finalRssBytes']/1048576:.0f} MiB | {r.get('alarmsRaised')} / {r.get('alarmsPoliceAcked')} | "
                  f"{ms(rec,'p50Ms')} / {ms(rec,'p99Ms')} / {ms(rec,'maxMs')} | {ms(pol,'p50Ms')} / {ms(pol,'p99Ms')} / {ms(pol,'maxMs')} | "
                  f"{(format(r['drainSeconds'], '.1f')) if r.get('drainSeconds') is not None else '-'} | {r.get('falseOffline')} | {r.get('connectFailures')} |")
    if bare:
        print(f"\n{f}\n")
        print("| run | date (UTC) | load avg | offered /s | delivered /s | lost | latency p50 / p99 / max ms | broker CPU | broker RSS | load generator CPU |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in bare:
            m = r["machine"]
            lat = r.get("latency")
            print(f"| {r['label']} | {m['utcNow'][:16].replace('T',' ')} | {m['loadAverage']} | {r.get('offeredRatePerSecond', 0):.0f} | "
                  f"{r.get('deliveredPerSecond', 0):.0f} | {r.get('alarmsLost')} | {ms(lat,'p50Ms')} / {ms(lat,'p99Ms')} / {ms(lat,'maxMs')} | "
                  f"{usage(r.get('server'))} | {r['server']['finalRssBytes']/1048576:.0f} MiB | {usage(r.get('loadGenerator'))} |")
