"""Ask Kinship who we are, with Python's standard library only.

    KINSHIP_URL=http://127.0.0.1:8080/graphql KINSHIP_API_KEY=kinship_... python3 examples/clients/viewer.py
"""

import json
import os
import sys
import urllib.error
import urllib.request

URL = os.environ.get("KINSHIP_URL", "http://127.0.0.1:8080/graphql")
QUERY = "query { viewer { kind scopes organization { slug name } } }"


class GraphQLError(Exception):
    """The server answered with errors; each has a message and an `extensions.code`."""


def graphql(query, variables=None, token=None):
    """POST one GraphQL operation; return its data or raise GraphQLError with the server's errors."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(URL, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as error:
        # 401, 405, 413, 503 ... still carry a GraphQL error body with a code.
        answer = json.load(error)
    if answer.get("errors"):
        raise GraphQLError(answer["errors"])
    return answer["data"]


if __name__ == "__main__":
    try:
        print(json.dumps(graphql(QUERY, token=os.environ.get("KINSHIP_API_KEY")), indent=2))
    except GraphQLError as error:
        for e in error.args[0]:
            print(f"{e.get('extensions', {}).get('code')}: {e['message']}", file=sys.stderr)
        sys.exit(1)
