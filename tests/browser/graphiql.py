#!/usr/bin/env python3
"""Drives /graphiql in headless Chromium over the DevTools protocol (a pipe: standard library
only) as a person would: waits for the IDE, runs the default query with the run button, opens
the documentation explorer. Prints one JSON object: what it saw, every URL the page requested,
and every console error (a Content-Security-Policy violation is one). Exits 0 when the IDE
rendered, the run showed data and the explorer showed the schema's root types.

  python3 tests/browser/graphiql.py http://127.0.0.1:8080 [CHROMIUM]
"""

import json
import os
import subprocess
import sys
import tempfile
import time

origin = sys.argv[1].rstrip("/")
chromium = sys.argv[2] if len(sys.argv) > 2 else "chromium"

to_browser_read, to_browser_write = os.pipe()
from_browser_read, from_browser_write = os.pipe()


def plumb():
    os.dup2(to_browser_read, 3)
    os.dup2(from_browser_write, 4)


profile = tempfile.mkdtemp(prefix="kinship-chromium-")
browser = subprocess.Popen(
    [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
     "--no-first-run", "--disable-extensions", "--remote-debugging-pipe",
     f"--user-data-dir={profile}", "about:blank"],
    pass_fds=(3, 4), preexec_fn=plumb,
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
)
os.close(to_browser_read)
os.close(from_browser_write)
buffer = b""
next_id = 0
events = []


def receive():
    global buffer
    while b"\0" not in buffer:
        chunk = os.read(from_browser_read, 1 << 16)
        if not chunk:
            raise RuntimeError("the browser closed the pipe")
        buffer += chunk
    message, buffer = buffer.split(b"\0", 1)
    return json.loads(message)


def call(method, params=None, session=None):
    global next_id
    next_id += 1
    message = {"id": next_id, "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    os.write(to_browser_write, json.dumps(message).encode() + b"\0")
    while True:
        answer = receive()
        if answer.get("id") == next_id:
            if "error" in answer:
                raise RuntimeError(f"{method}: {answer['error']}")
            return answer["result"]
        events.append(answer)


def evaluate(session, expression):
    result = call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
    return result.get("result", {}).get("value")


def wait_for(session, expression, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = evaluate(session, expression)
        if value:
            return value
        time.sleep(0.2)
    return None


seen = {"rendered": False, "result": None, "docs": None}
try:
    target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Runtime", "Log", "Network", "Page"):
        call(f"{domain}.enable", {}, session)
    call("Page.navigate", {"url": origin + "/graphiql"}, session)
    seen["rendered"] = bool(wait_for(
        session, "!!document.querySelector('.graphiql-container .graphiql-execute-button')"))
    if seen["rendered"]:
        evaluate(session, "document.querySelector('.graphiql-execute-button').click()")
        seen["result"] = wait_for(session, """(() => {
            const w = document.querySelector('.result-window');
            const text = w ? w.innerText : '';
            return text.includes('"data"') ? text : null; })()""")
        evaluate(session, """(() => {
            const b = document.querySelector('[aria-label="Show Documentation Explorer"]');
            if (b) b.click(); })()""")
        seen["docs"] = wait_for(session, """(() => {
            const d = document.querySelector('.graphiql-doc-explorer');
            const text = d ? d.innerText : '';
            return text.includes('Query') ? text : null; })()""")
finally:
    try:
        call("Browser.close")
    except Exception:
        pass
    browser.wait(timeout=10)

requested = sorted({e["params"]["request"]["url"] for e in events
                    if e.get("method") == "Network.requestWillBeSent"})
errors = [e["params"]["entry"]["text"] for e in events
          if e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error"]
errors += [e["params"]["exceptionDetails"].get("text", "") + " " +
           str(e["params"]["exceptionDetails"].get("exception", {}).get("description", ""))
           for e in events if e.get("method") == "Runtime.exceptionThrown"]
elsewhere = [u for u in requested if not (u.startswith(origin + "/") or u.startswith("data:"))]
shown = [u if len(u) < 80 else u[:60] + "..." for u in requested]
print(json.dumps({"seen": seen, "requested": shown, "elsewhere": elsewhere,
                  "errors": errors}, indent=1))
ok = seen["rendered"] and seen["result"] and seen["docs"] and not elsewhere and not errors
sys.exit(0 if ok else 1)
