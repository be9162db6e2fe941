"""Moves the stored horizon back a day, then times `kinship migrate` (which extends it) while
a client keeps renaming meetings through the server, and reports the slowest rename (see
BENCHMARKS.md). On a database seeded with `kinship seed`:

  python3 benches/horizon/extend_under_writes.py target/release/kinship DATABASE_URL ADMIN_KEY

Needs psql; serves on 127.0.0.1:18481."""
import json, subprocess, sys, threading, time, urllib.request
binary, url, key = sys.argv[1], sys.argv[2], sys.argv[3]
base = "http://127.0.0.1:18481"
def post(q, v=None):
    r = urllib.request.Request(base + "/graphql", data=json.dumps({"query": q, "variables": v or {}}).encode(),
                               headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(r, timeout=60) as resp:
        return json.load(resp)
env = {"DATABASE_URL": url, "KINSHIP_BIND": "127.0.0.1:18481", "KINSHIP_LOG": "warn", "PATH": "/usr/bin:/bin"}
server = subprocess.Popen([binary, "serve"], env=env)
for _ in range(100):
    try:
        urllib.request.urlopen(base + "/readyz", timeout=1); break
    except OSError:
        time.sleep(0.3)
org = post("{ viewer { organization { id } } }")["data"]["viewer"]["organization"]["id"]
groups = post("query($o: ID) { groups(first: 30, filter: { organizationId: $o }) { edges { node { meetings(first: 5) { edges { node { id } } } } } } }", {"o": org})["data"]["groups"]["edges"]
ids = [m["node"]["id"] for g in groups for m in g["node"]["meetings"]["edges"]]
subprocess.run(["psql", url, "-XAtqc", "UPDATE occurrence_horizon SET until_micros = until_micros - 86400000000"], check=True)
latencies, stop = [], threading.Event()
def writer():
    n = 0
    while not stop.is_set():
        t = time.perf_counter()
        answer = post("mutation($id: ID!, $n: String!) { updateMeeting(input: { id: $id, name: $n }) { id } }",
                      {"id": ids[n % len(ids)], "n": f"Renamed {n}"})
        latencies.append((t, time.perf_counter()))
        assert "errors" not in answer, answer
        n += 1
thread = threading.Thread(target=writer); thread.start()
time.sleep(1)
t0 = time.perf_counter()
subprocess.run([binary, "migrate"], env=env, check=True, capture_output=True)
t1 = time.perf_counter()
time.sleep(1)
stop.set(); thread.join(); server.terminate()
until = subprocess.run(["psql", url, "-XAtqc", "SELECT to_timestamp(until_micros / 1e6), extending_to_micros FROM occurrence_horizon"], capture_output=True, text=True).stdout.strip()
during = [e - s for s, e in latencies if e > t0 and s < t1]
calm = sorted(e - s for s, e in latencies if e < t0)
print(f"extension: {t1 - t0:.1f} s (horizon now {until}); renames overlapping it: {len(during)}, slowest {max(during, default=0)*1000:.0f} ms; before it: median {calm[len(calm)//2]*1000:.0f} ms, slowest {calm[-1]*1000:.0f} ms")
