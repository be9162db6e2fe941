#!/usr/bin/env python3
"""The most expensive requests the default limits let through (BENCHMARKS.md, "The worst
request"). Seeds a database with `kinship seed --scale N`, plants the schedules that cost most
to expand (daily since 1900, the last weekday of every month since 1900, 500-occurrence COUNT
rules) and the longest texts writes allow, starts the release server with its default limits,
and sends each candidate request alone, then eight of them at once. Reports, per request, its
status, wall time and answer size, and the server's peak RSS (VmHWM) over the whole run.

  python3 benches/load/worst.py --binary /var/tmp/kinship-ci-target/release/kinship
  python3 benches/load/worst.py --database postgres --scale 100000
"""

import argparse
import concurrent.futures
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
STANDARD_INTROSPECTION = (ROOT / "schema/src/limits/standard_introspection.graphql").read_text()
PORT = 18481
BASE = f"http://127.0.0.1:{PORT}"


def log(message):
    print(message, file=sys.stderr, flush=True)


def run(command, env=None):
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, command))}\n{result.stderr}")
    return result.stdout


def send(body, token=None, path="/graphql"):
    """(status, seconds, bytes, body text) of one request."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{BASE}{path}", data=data, method="POST" if data else "GET",
                                     headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            text = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        text = error.read()
        status = error.code
    return status, time.perf_counter() - started, len(text), text.decode(errors="replace")


def peak_rss_mib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def plant(token):
    """A public group with the costliest schedules and longest texts writes allow."""
    long_text = ("Recovery is a journey we share. " * 70)[:2000]
    group = send({"query": "mutation($d: String) { createGroup(input: { name: \"Planted\", visibility: PUBLIC, description: $d }) { id } }",
                  "variables": {"d": long_text}}, token)
    group_id = json.loads(group[3])["data"]["createGroup"]["id"]
    rules = ["FREQ=DAILY", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
             "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;COUNT=500", "FREQ=DAILY;INTERVAL=1;UNTIL=21991231T000000Z"]
    for i in range(40):
        schedule = {"rrule": rules[i % len(rules)], "startTime": "19:00", "durationMinutes": 60,
                    "startsOn": "1900-01-01"}
        status, _, _, text = send({"query": "mutation($input: CreateMeetingInput!) { createMeeting(input: $input) { id } }",
                                   "variables": {"input": {"groupId": group_id, "name": f"Planted {i}", "description": long_text,
                                                           "timezone": "America/New_York", "attendanceMode": "ONLINE",
                                                           "online": {"url": "https://meet.example.org/p", "notes": long_text[:500]},
                                                           "types": [], "schedule": schedule}}}, token)
        if "errors" in text:
            sys.exit(f"planting failed: {text[:300]}")
    return group_id


def candidates(group_uuid_path):
    year = {"from": "2026-01-01T00:00:00Z", "to": "2026-12-31T00:00:00Z"}
    occurrences = " ".join(
        f"o{i}: occurrences(from: \"{year['from']}\", to: \"{year['to']}\", first: 500) {{ start }}" for i in range(1))
    descriptions = "{ groups(first: 90) { nodes { description } } }"
    return {
        "introspection x2 (batch)": [{"query": STANDARD_INTROSPECTION}] * 2,
        "occurrences: 19 meetings x 500": {"query": "{ meetings(first: 19, filter: { text: \"Planted\" }) { nodes { " + occurrences + " } } }"},
        "weekday + local time search, 100": {"query": "{ meetings(first: 100, filter: { weekdays: [TUESDAY], localTime: { from: \"18:00\", to: \"21:00\" } }) { totalCount nodes { name nextOccurrence { start } } } }"},
        "2 weekday searches of 20 (batch)": [{"query": "{ meetings(first: 20, filter: { weekdays: [MONDAY], localTime: { from: \"07:00\", to: \"09:00\" } }) { totalCount nodes { name nextOccurrence { start } } } }"},
                                             {"query": "{ meetings(first: 20, filter: { weekdays: [SATURDAY] }) { totalCount nodes { name nextOccurrence { start } } } }"}],
        "text search, no match, 100": {"query": "{ meetings(first: 100, filter: { text: \"zzzqqq\" }) { totalCount nodes { name } } }"},
        "descriptions: batch of 9 x 90 groups": [{"query": descriptions}] * 9,
        "meeting descriptions: 90": {"query": "{ meetings(first: 90, filter: { text: \"Planted\" }) { nodes { description online { notes } } } }"},
        "group .ics of 40 planted meetings": ("GET", group_uuid_path),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/kinship_worst")
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--binary", default=str(ROOT / "target/release/kinship"))
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="kinship-worst-")
    if args.database == "sqlite":
        url = os.path.join(workdir, "worst.db")
    else:
        url = args.postgres_url
        admin = url.rsplit("/", 1)[0] + "/postgres"
        name = url.rsplit("/", 1)[1]
        run(["psql", admin, "-Xqc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])
        run(["psql", admin, "-Xqc", f"CREATE DATABASE {name}"])
    env = dict(os.environ, DATABASE_URL=url, KINSHIP_BIND=f"127.0.0.1:{PORT}", KINSHIP_LOG="warn")
    log(f"seeding {args.scale} meetings ({args.database})")
    token = json.loads(run([args.binary, "--json", "seed", "--scale", str(args.scale)], env=env))["apiKey"]
    server = subprocess.Popen([args.binary, "serve"], env=env)
    try:
        for _ in range(200):
            try:
                if send(None, path="/readyz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        idle = peak_rss_mib(server.pid)
        log(f"peak RSS once ready: {idle:.0f} MiB")
        group_id = plant(token)
        uuid = json.loads(send({"query": "query($id: ID!) { group(id: $id) { calendarUrl } }", "variables": {"id": group_id}})[3])["data"]["group"]["calendarUrl"]
        rows = []
        requests = candidates(uuid)
        for name, body in requests.items():
            if isinstance(body, tuple):
                result = send(None, path=body[1])
            else:
                result = send(body)
            status, seconds, size, text = result
            refused = "QUERY_TOO_COMPLEX" in text[:2000]
            peak = peak_rss_mib(server.pid)
            rows.append((name, status, seconds, size, refused, peak))
            log(f"{name}: {status} {seconds:.3f}s {size} bytes{' REFUSED' if refused else ''}, peak RSS {peak:.0f} MiB")
        # Eight of the heaviest at once, as eight anonymous clients would.
        heaviest = max((r for r in rows if not r[4]), key=lambda r: r[2])[0]
        body = requests[heaviest]
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: send(None, path=body[1]) if isinstance(body, tuple) else send(body), range(8)))
        together = time.perf_counter() - started
        statuses = sorted({r[0] for r in results})
        print("| request | status | time | answer | server peak RSS so far |")
        print("|---|---|---|---|---|")
        for name, status, seconds, size, refused, peak in rows:
            print(f"| {name} | {status}{' (refused)' if refused else ''} | {seconds * 1000:.0f} ms | {size / 1024:.0f} KiB | {peak:.0f} MiB |")
        print(f"| 8 x `{heaviest}` at once | {statuses} | {together * 1000:.0f} ms for all | | {peak_rss_mib(server.pid):.0f} MiB |")
        print(f"\nserver peak RSS: {peak_rss_mib(server.pid):.0f} MiB, of which {idle:.0f} MiB before the first request "
              f"({args.database}, {args.scale} meetings + 40 planted)")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
