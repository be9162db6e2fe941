#!/usr/bin/env python3
"""Runs one file of examples/queries/ against a Kinship server, as written: its `# variables:`
header (where a string `now`, `now+2h`, `now-30m` or `now+7d` becomes that instant, so that
examples about "soon" stay true), its credentials (`# auth: demo-admin` sends your key;
`# auth: demo-member` mints a token for the demo member with it) and `# group: NAME` (the
variable `id` becomes that group's id). Prints the response; exits 1 when it has errors.
Python's standard library only.

  python3 examples/run.py examples/queries/meetings-near.graphql
  KINSHIP_API_KEY=kinship_... python3 examples/run.py examples/queries/group-overview.graphql
  python3 examples/run.py FILE --url http://127.0.0.1:8080/graphql --key kinship_...
"""

import argparse
import datetime
import json
import os
import pathlib
import re
import sys
import urllib.error
import urllib.request


RELATIVE = re.compile(r"^now(?:([+-])(\d+)([mhd]))?$")
UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def resolved(value, now):
    """`value` with every string `now[+-N(m|h|d)]` replaced by that instant (RFC 3339, UTC)."""
    if isinstance(value, dict):
        return {k: resolved(v, now) for k, v in value.items()}
    if isinstance(value, list):
        return [resolved(v, now) for v in value]
    match = RELATIVE.match(value) if isinstance(value, str) else None
    if not match:
        return value
    sign, amount, unit = match.groups()
    shift = datetime.timedelta(**{UNITS[unit]: int(amount)}) if amount else datetime.timedelta()
    instant = now + shift if sign != "-" else now - shift
    return instant.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def header(text, key):
    for line in text.splitlines():
        if not line.startswith("#"):
            return None
        line = line[1:].strip()
        if line.startswith(key):
            return line[len(key):].strip()
    return None


def post(url, query, variables, token):
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as error:
        return json.load(error)
    except urllib.error.URLError as error:
        sys.exit(f"cannot reach {url} ({error.reason}): is `kinship serve --demo` running?")


def need(result, what):
    if result.get("errors"):
        sys.exit(f"{what}: {result['errors'][0]['message']}")
    return result["data"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=pathlib.Path)
    parser.add_argument("--url", default=os.environ.get("KINSHIP_URL", "http://127.0.0.1:8080/graphql"))
    parser.add_argument("--key", default=os.environ.get("KINSHIP_API_KEY"),
                        help="the demo admin key that `serve --demo` printed (or KINSHIP_API_KEY)")
    args = parser.parse_args()
    text = args.file.read_text()
    now = datetime.datetime.now(datetime.timezone.utc)
    variables = resolved(json.loads(header(text, "variables:") or "{}"), now)
    auth = header(text, "auth:")
    if auth and not args.key:
        sys.exit(f"{args.file.name} acts as the demo organization: give --key or set "
                 "KINSHIP_API_KEY to the admin key `kinship serve --demo` printed")
    token = args.key if auth else None
    group = header(text, "group:")
    if group:
        found = need(post(args.url, "query($t: String) { groups(filter: { text: $t }, first: 20) "
                                    "{ edges { node { id name } } } }", {"t": group}, args.key),
                     f"finding the group {group!r}")
        ids = [e["node"]["id"] for e in found["groups"]["edges"] if e["node"]["name"] == group]
        if not ids:
            sys.exit(f"no group named {group!r}: load the demo data (`kinship serve --demo`)")
        variables["id"] = ids[0]
    if auth == "demo-member":
        found = need(post(args.url, "{ groups(filter: { text: \"Evening\" }) { edges { node { members "
                                    "{ edges { node { id externalRef } } } } } } }", {}, args.key),
                     "finding the demo member")
        members = [m["node"] for g in found["groups"]["edges"] for m in g["node"]["members"]["edges"]]
        member = next((m for m in members if m["externalRef"] == "demo-sam"), None)
        if member is None:
            sys.exit("no demo member: load the demo data (`kinship serve --demo`)")
        minted = need(post(args.url, "mutation($id: ID!) { issueMemberToken(input: { memberId: $id }) "
                                     "{ token } }", {"id": member["id"]}, args.key),
                      "minting the demo member's token")
        token = minted["issueMemberToken"]["token"]
    result = post(args.url, text, variables, token)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    sys.exit(1 if result.get("errors") else 0)


if __name__ == "__main__":
    main()
