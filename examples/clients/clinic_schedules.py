"""A clinic schedules meetings in New York time, cancels one occurrence and moves another.

    KINSHIP_URL=http://127.0.0.1:8080/graphql KINSHIP_API_KEY=kinship_... python3 examples/clients/clinic_schedules.py

Prints the occurrences of March and November 2026: across both daylight-saving changes the
local start stays 19:00 (the offset changes from -05:00 to -04:00 and back).
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from viewer import graphql  # noqa: E402

KEY = os.environ["KINSHIP_API_KEY"]

group = graphql(
    """mutation { createGroup(input: { name: "Downtown Recovery Group", pathway: TWELVE_STEP }) { id } }""",
    token=KEY,
)["createGroup"]["id"]

create = """mutation($input: CreateMeetingInput!) { createMeeting(input: $input) { id name } }"""
weekly = graphql(create, {"input": {
    "groupId": group, "name": "Tuesday Night Discussion", "timezone": "America/New_York",
    "attendanceMode": "IN_PERSON",
    "schedule": {"rrule": "FREQ=WEEKLY;BYDAY=TU", "startTime": "19:00", "durationMinutes": 90, "startsOn": "2026-01-01"},
    "location": {"venue": "Community Center", "address": "100 Main St", "city": "New York", "countryCode": "US",
                 "latitude": 40.7128, "longitude": -74.006},
    "program": "aa", "types": ["O", "D"], "languages": ["en"],
}}, token=KEY)["createMeeting"]
last_friday = graphql(create, {"input": {
    "groupId": group, "name": "Last Friday Speaker", "timezone": "America/New_York",
    "attendanceMode": "ONLINE",
    "schedule": {"rrule": "FREQ=MONTHLY;BYDAY=-1FR", "startTime": "20:00", "durationMinutes": 60, "startsOn": "2026-01-01"},
    "online": {"url": "https://meet.example.org/last-friday"},
}}, token=KEY)["createMeeting"]

# Occurrences are named by their original start in UTC (19:00 EST on March 3 is 00:00 UTC).
graphql("""mutation($m: ID!) { cancelOccurrence(input: {
    meetingId: $m, occurrenceStart: "2026-03-04T00:00:00Z", note: "Snow day" }) { status } }""",
        {"m": weekly["id"]}, token=KEY)
graphql("""mutation($m: ID!) { rescheduleOccurrence(input: {
    meetingId: $m, occurrenceStart: "2026-03-10T23:00:00Z", newStart: "2026-03-11T23:00:00Z",
    note: "Moved to Wednesday this week" }) { status } }""",
        {"m": weekly["id"]}, token=KEY)

window = """query($id: ID!, $from: DateTime!, $to: DateTime!) {
  meeting(id: $id) { name occurrences(from: $from, to: $to) { localStart status note } } }"""
report = {}
for meeting in (weekly, last_friday):
    for label, start, end in (("march", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
                              ("november", "2026-10-25T00:00:00Z", "2026-11-30T00:00:00Z")):
        found = graphql(window, {"id": meeting["id"], "from": start, "to": end}, token=KEY)["meeting"]
        report.setdefault(found["name"], {})[label] = found["occurrences"]
print(json.dumps(report, indent=2))
