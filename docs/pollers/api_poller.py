"""App makers: poll api/alerts.json (every 30-60 s) and show the active alerts.

    python api_poller.py https://alarm.example.nl/ [--once]

status.json tells whether anything changed at all (its `build` changes with every publish);
api/alerts.json holds the active alerts with their photo URLs. Both answer 304 when
unchanged, so polling every 30 s costs almost nothing.
"""

from __future__ import annotations

import json
import sys

from httpcache import ConditionalGetter, poll_forever


def poll_once(base_url: str, http: ConditionalGetter) -> list[dict]:
    """The active alerts, most urgent first (the order of the file)."""
    status = http.get(base_url + "status.json")
    alerts = http.get(base_url + "api/alerts.json")
    if status.status == 200:
        json.loads(status.body)  # build id, generation time, counts
    return list(json.loads(alerts.body)["alerts"])


def main(argv: list[str]) -> None:
    base_url = argv[0].rstrip("/") + "/"
    http = ConditionalGetter()

    def show() -> None:
        for alert in poll_once(base_url, http):
            print(alert["headline"], alert["child"]["name"], alert["url"]["nl"])

    poll_forever(show, 30, "--once" in argv)


if __name__ == "__main__":
    main(sys.argv[1:])
