"""Ask Kinship who we are, with Python's standard library only.

    KINSHIP_URL=http://127.0.0.1:8080/graphql KINSHIP_API_KEY=kinship_... python3 examples/clients/viewer.py
"""

import json
import os
import urllib.request

URL = os.environ.get("KINSHIP_URL", "http://127.0.0.1:8080/graphql")
QUERY = "query { viewer { kind scopes organization { slug name } } }"


def graphql(query, variables=None):
    """POST one GraphQL operation; raise if the answer carries errors."""
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        URL,
        data=body,
        headers={
            "Content-Type": "application/json",
            "Authorization": "Bearer " + os.environ["KINSHIP_API_KEY"],
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.load(response)
    if answer.get("errors"):
        raise RuntimeError(answer["errors"])
    return answer["data"]


if __name__ == "__main__":
    print(json.dumps(graphql(QUERY), indent=2))
