"""What `make run` prints before it starts the servers: where they are and how to begin."""

import os

BANNER = """
BetterPlay is starting on http://127.0.0.1:{port}
  Backoffice API docs: http://127.0.0.1:{port}/api/v1/bo/docs
  Games API docs:      http://127.0.0.1:{port}/v1/docs

Local admin key (X-Admin-Key, from ADMIN_API_KEY): {admin_key}
  Or make a stored one: .venv/bin/betterplay admin create-admin-key
Create your first aggregator:
  curl -s -X POST http://127.0.0.1:{port}/api/v1/bo/aggregators \\
    -H 'X-Admin-Key: {admin_key}' -H 'Content-Type: application/json' \\
    -d '{{"code": "acme-games", "name": "Acme Games Ltd"}}'
"""

if __name__ == "__main__":
    print(
        BANNER.format(
            port=os.environ.get("WEB_PORT", "8000"), admin_key=os.environ["ADMIN_API_KEY"]
        )
    )
