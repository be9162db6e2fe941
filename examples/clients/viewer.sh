#!/usr/bin/env bash
# Ask Kinship who we are, with curl. Usage:
#   KINSHIP_URL=http://127.0.0.1:8080/graphql KINSHIP_API_KEY=kinship_... bash examples/clients/viewer.sh
set -euo pipefail
url="${KINSHIP_URL:-http://127.0.0.1:8080/graphql}"
status=0
curl --silent --show-error --fail-with-body "$url" \
  -H "Content-Type: application/json" \
  -H "Authorization: Bearer ${KINSHIP_API_KEY:?set KINSHIP_API_KEY to an API key}" \
  --data '{"query": "query { viewer { kind scopes organization { slug name } } }"}' || status=$?
echo
exit "$status"
