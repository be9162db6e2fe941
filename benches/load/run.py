#!/usr/bin/env python3
"""Kinship's load test (see BENCHMARKS.md). Builds the release binary, seeds a database with
`kinship seed --scale N` (unless --reuse), starts the server, and runs wrk against the GraphQL
queries of examples/queries/ and the reference handler, reporting requests per second, p50/p99
latency, errors (non-200 and bodies with "errors"), the server's peak RSS and SQL statements per
request (from the response's `extensions.sqlStatements`, and from pg_stat_statements when that
extension is loaded). Prints a Markdown table. Needs wrk (apt install wrk), psql for PostgreSQL.

  python3 benches/load/run.py                       # PostgreSQL, 100,000 meetings
  python3 benches/load/run.py --database sqlite     # SQLite file
  python3 benches/load/run.py --reuse --only a,ref  # keep the seeded data, run some queries
"""

import argparse
import datetime
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import zoneinfo

ROOT = pathlib.Path(__file__).resolve().parents[2]
QUERIES = ROOT / "examples" / "queries"
LUA = ROOT / "benches" / "load" / "post.lua"
BINARY = ROOT / "target" / "release" / "kinship"
PORT = 18480
BASE = f"http://127.0.0.1:{PORT}"

# Query (a) searches around New York, the seeded city with the most meetings (see
# schema/src/seed/places.rs), over two hours of a Tuesday evening: the busiest kind of window, and
# the same one whatever the hour the benchmark runs at.
CITY = ("New York", 40.7128, -74.0060, "America/New_York")


def log(message):
    print(message, file=sys.stderr, flush=True)


def run(command, env=None, capture=True):
    result = subprocess.run(command, env=env, capture_output=capture, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, command))}\n{result.stderr}")
    return result.stdout


def psql(url, sql):
    return run(["psql", url, "-XAtqc", sql]).strip()


def post(body, token=None):
    request = urllib.request.Request(
        f"{BASE}/graphql", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def evening_window(now):
    """The next Tuesday 18:30 to 20:30 in New York (within a week: inside the stored occurrence
    horizon, as "the next two hours" is), as UTC instants."""
    zone = zoneinfo.ZoneInfo(CITY[3])
    local = now.astimezone(zone)
    day = local.date() + datetime.timedelta(days=(1 - local.weekday()) % 7)
    start = datetime.datetime.combine(day, datetime.time(18, 30), zone)
    if start <= local:
        start = datetime.datetime.combine(day + datetime.timedelta(days=7), datetime.time(18, 30), zone)
    start = start.astimezone(datetime.timezone.utc)
    return start, start + datetime.timedelta(hours=2)


def rss_kib(pid, field):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def wrk(url, seconds, connections, threads, body=None, token=None):
    env = dict(os.environ)
    env["BODY_FILE"] = body or ""
    env["AUTHORIZATION"] = f"Bearer {token}" if token else ""
    out = run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
               "--timeout", "5s", "-s", str(LUA), url], env=env)
    values = dict(re.findall(r"^kinship_(\w+) ([\d.]+)$", out, re.M))
    return {k: float(v) for k, v in values.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/kinship_bench?sslmode=disable",
                        help="a postgres:// URL, or 'sqlite' for a file in the temp folder (the default "
                             "reaches the database on this machine without TLS, as a co-located server would)")
    parser.add_argument("--scale", type=int, default=100_000, help="meetings to seed")
    parser.add_argument("--reuse", action="store_true", help="keep the database seeded earlier")
    parser.add_argument("--seconds", type=int, default=20, help="length of each run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--only", default="a,ref,b,c,d,e,f,g,h", help="queries to run, in order")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--binary", default=str(BINARY), help="the kinship binary to measure (implies --no-build)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra server settings (KINSHIP_DB_POOL_SIZE=20, ...)")
    args = parser.parse_args()

    binary = args.binary
    if not args.no_build and binary == str(BINARY):
        log("building the release binary ...")
        run(["cargo", "build", "--release", "-q", "-p", "kinship-api"], capture=False)
    postgres = args.database.startswith("postgres")
    url = args.database if postgres else str(pathlib.Path(tempfile.gettempdir()) / "kinship-bench.db")
    env = dict(os.environ, DATABASE_URL=url, KINSHIP_BIND=f"127.0.0.1:{PORT}", KINSHIP_LOG="warn",
               KINSHIP_EXPOSE_SQL_STATEMENTS="true", KINSHIP_BENCH_REFERENCE="true")
    for setting in args.env:
        name, _, value = setting.partition("=")
        env[name] = value
    if not args.reuse:
        if postgres:
            base, _, query = url.partition("?")
            admin, name = base.rsplit("/", 1)
            maintenance = admin + "/postgres" + (f"?{query}" if query else "")
            psql(maintenance, f"DROP DATABASE IF EXISTS {name}")
            psql(maintenance, f"CREATE DATABASE {name}")
        else:
            for suffix in ("", "-wal", "-shm"):
                pathlib.Path(url + suffix).unlink(missing_ok=True)
        log(f"seeding {args.scale} meetings ...")
        seeded = json.loads(run([binary, "--json", "seed", "--scale", str(args.scale)], env=env))
        key = seeded.pop("apiKey")
        log(f"seeded in {seeded['seconds']} s: {seeded}")
    else:
        key = json.loads(run([binary, "--json", "key", "create", "--org", "seed-1",
                              "--scopes", "read"], env=env))["apiKey"]

    if postgres:
        try:
            psql(url, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        except SystemExit:
            log("pg_stat_statements is not available: statements come from the responses only")
    server = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if server.poll() is not None:
                sys.exit(f"the server stopped (exit {server.returncode}); is port {PORT} free?")
            try:
                urllib.request.urlopen(f"{BASE}/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("the server did not become ready in 20 s")
        org = post({"query": "{ viewer { organization { id } } }"}, key)["data"]["viewer"]["organization"]["id"]
        group = post({"query": "query($o: ID) { groups(first: 1, filter: { organizationId: $o }) { edges { node { id } } } }",
                      "variables": {"o": org}}, key)["data"]["groups"]["edges"][0]["node"]["id"]
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        start, later = evening_window(now)
        city = CITY
        near = {"latitude": city[1], "longitude": city[2], "radiusKm": 10}
        window = {"from": start.isoformat().replace("+00:00", "Z"), "to": later.isoformat().replace("+00:00", "Z")}
        log(f"query (a) searches around {city[0]} from {window['from']} to {window['to']}")
        queries = {
            "a": ("(a) meetings near a point in the next two hours", "meetings-starting-soon.graphql",
                  {"filter": {"near": near, "startsBetween": window}}, None),
            "b": ("(b) a group, its members and meetings (staff key)", "group-overview.graphql", {"id": group}, key),
            "c": ("(c) meetings text search", "meetings-text-search.graphql", {"filter": {"text": "step study"}}, None),
            "d": ("(d) viewer (the floor)", "viewer.graphql", {}, key),
            "e": ("(e) a page of meetings, no filter", "meetings-browse.graphql", {}, None),
            "f": ("(f) a page of meetings by name", "meetings-browse.graphql", {"orderBy": "NAME"}, None),
            "g": ("(g) a page of meetings by program, type and language", "meetings-browse.graphql",
                  {"filter": {"program": "aa", "types": {"include": ["O"]}, "languages": ["en"]}}, None),
            "h": ("(h) the group directory by focus and language", "directory.graphql",
                  {"filter": {"focus": ["OPIOIDS", "ANY"], "languages": ["en"]}}, None),
        }
        reference = (f"{BASE}/reference/meetings-soon?latitude={city[1]}&longitude={city[2]}&radiusKm=10"
                     f"&from={window['from']}&to={window['to']}")
        rows = []
        bodies = tempfile.TemporaryDirectory()
        unknown = set(args.only.split(",")) - set(queries) - {"ref"}
        if unknown:
            sys.exit(f"unknown queries {sorted(unknown)}: use a, ref, b, c, d, e, f, g, h")
        for name in args.only.split(","):
            if name == "ref":
                label, target, body_file, token, statements = "(a) reference handler, no GraphQL", reference, None, None, "-"
                with urllib.request.urlopen(reference) as response:
                    found = json.load(response)["totalCount"]
            else:
                label, file, variables, token = queries[name]
                body = {"query": (QUERIES / file).read_text(), "variables": variables}
                answer = post(body, token)
                if "errors" in answer:
                    sys.exit(f"{label}: {answer['errors']}")
                statements = answer.get("extensions", {}).get("sqlStatements", "?")
                found = next(iter(answer["data"].values()))
                found = found.get("totalCount", "-") if isinstance(found, dict) else "-"
                body_file = pathlib.Path(bodies.name) / f"{name}.json"
                body_file.write_text(json.dumps(body))
                body_file, target = str(body_file), f"{BASE}/graphql"
            wrk(target, 3, args.connections, args.threads, body_file, token)  # warm up
            pathlib.Path(f"/proc/{server.pid}/clear_refs").write_text("5")  # reset peak RSS
            if postgres:
                try:
                    psql(url, "SELECT pg_stat_statements_reset()")
                except SystemExit:
                    pass
            result = wrk(target, args.seconds, args.connections, args.threads, body_file, token)
            peak = rss_kib(server.pid, "VmHWM") // 1024
            pg_per_request = "-"
            if postgres:
                try:
                    calls = psql(url, "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_database d "
                                      "ON d.oid = s.dbid WHERE d.datname = current_database() "
                                      "AND query NOT ILIKE '%pg_stat_statements%'")
                    pg_per_request = f"{float(calls) / max(result['requests'], 1):.2f}"
                except SystemExit:
                    pass
            rows.append((label, found, result, peak, statements, pg_per_request))
            log(f"{label}: {result['rps']:.0f} req/s, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
                f"{int(result['errors'])} errors, peak RSS {peak} MB")
        backend = "PostgreSQL" if postgres else "SQLite"
        print(f"\n{backend}, {args.scale} meetings, {args.connections} connections, {args.seconds} s per run, "
              f"{datetime.date.today()}\n")
        print("| query | matches | req/s | p50 ms | p99 ms | errors | peak RSS MB | SQL/request (response) | SQL/request (pg_stat_statements) |")
        print("|---|---|---|---|---|---|---|---|---|")
        for label, found, r, peak, statements, pg in rows:
            print(f"| {label} | {found} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
                  f"{int(r['errors'])} | {peak} | {statements} | {pg} |")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
