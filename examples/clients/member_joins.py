"""A member joins a group, end to end, with Python's standard library only.

The platform's backend (holding the organization's API key) syncs its user as a member and
mints a short-lived member token; the member's app (holding only that token) finds an open
public group in the directory and joins it.

    KINSHIP_URL=http://127.0.0.1:8080/graphql KINSHIP_API_KEY=kinship_... python3 examples/clients/member_joins.py
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from viewer import GraphQLError, graphql  # noqa: E402

API_KEY = os.environ["KINSHIP_API_KEY"]

# 1. Backend: sync the user (idempotent) and mint a token for their app.
member = graphql(
    """mutation($input: UpsertMemberInput!) { upsertMember(input: $input) { id displayName } }""",
    {"input": {"externalRef": "app-user-77", "displayName": "Casey", "role": "PERSON_IN_RECOVERY"}},
    token=API_KEY,
)["upsertMember"]
member_token = graphql(
    """mutation($id: ID!) { issueMemberToken(input: { memberId: $id, ttlMinutes: 30 }) { token expiresAt } }""",
    {"id": member["id"]},
    token=API_KEY,
)["issueMemberToken"]["token"]

# 2. App: find an open group and join it, with the member token only.
# The directory lists other organizations' public groups too; members join their own's.
organization = graphql("""{ viewer { organization { id } } }""", token=member_token)["viewer"]["organization"]["id"]
groups = graphql(
    """query($org: ID!) { groups(first: 50, filter: { organizationId: $org }) { edges { node { id name joinPolicy } } } }""",
    {"org": organization},
    token=member_token,
)["groups"]["edges"]
open_group = next(e["node"] for e in groups if e["node"]["joinPolicy"] == "OPEN")
try:
    joined = graphql(
        """mutation($g: ID!) { joinGroup(input: { groupId: $g }) { state group { name } } }""",
        {"g": open_group["id"]},
        token=member_token,
    )["joinGroup"]
except GraphQLError as error:
    sys.exit(f"could not join: {error}")

mine = graphql(
    """{ viewer { member { displayName groups { edges { state node { name } } } } } }""",
    token=member_token,
)
print(json.dumps({"joined": joined, "viewer": mine["viewer"]}, indent=2))
