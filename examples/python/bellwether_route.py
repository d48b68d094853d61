"""Ask Bellwether which AI dependency to call, failing safe (Python 3.8+, standard library only).

    from bellwether_route import choose_route, NoUsableDependency

    choice = choose_route("phishing-triage", primary="openai-chat")
    call = CLIENTS[choice.dependency]      # your own wrappers, keyed by dependency id

Environment: BELLWETHER_URL (default http://localhost:9477) and BELLWETHER_TOKEN (a bearer
token, when Bellwether runs with BELLWETHER_API_TOKENS). When Bellwether cannot be reached,
times out or answers anything but 200 with a route, the primary is used: Bellwether being
down must never take the tool down with it. When Bellwether answers that no dependency is
usable (route null), NoUsableDependency is raised: fail fast, or queue the work for a person.

Run as a script to see the choice: python3 bellwether_route.py CONSUMER PRIMARY
(prints one JSON line; exit 0, or 3 when no dependency is usable).
"""

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import NamedTuple, Optional

TIMEOUT_S = 1.0  # per attempt: the route is a hint, the tool's own call matters more
ATTEMPTS = 2  # one quick retry on a network error or a 5xx
BUDGET_S = 2.5  # never spend longer than this asking


class Route(NamedTuple):
    dependency: str
    fallback: bool  # True when this is not the consumer's primary
    source: str  # "bellwether", or "default" when Bellwether could not say
    reason: str


class NoUsableDependency(RuntimeError):
    """Bellwether answered that no dependency of the consumer is usable now."""


def choose_route(
    consumer: str,
    primary: str,
    base_url: Optional[str] = None,
    token: Optional[str] = None,
) -> Route:
    base = (base_url or os.environ.get("BELLWETHER_URL") or "http://localhost:9477").rstrip("/")
    token = token if token is not None else os.environ.get("BELLWETHER_TOKEN")
    url = f"{base}/api/v1/consumers/{urllib.parse.quote(consumer, safe='')}/route"
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    deadline = time.monotonic() + BUDGET_S
    problem = "not asked"
    for _ in range(ATTEMPTS):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            request = urllib.request.Request(url, headers=headers)
            with urllib.request.urlopen(request, timeout=min(TIMEOUT_S, left)) as res:
                answer = json.loads(res.read(64 * 1024))
        except urllib.error.HTTPError as err:
            problem = f"Bellwether answered HTTP {err.code}"
            if err.code < 500:
                break  # a mistyped consumer or a missing token: retrying will not help
            continue
        except (OSError, ValueError) as err:  # refused, timed out, DNS, bad JSON
            problem = f"Bellwether unreachable: {type(err).__name__}"
            continue
        route = answer.get("route") if isinstance(answer, dict) else None
        if isinstance(answer, dict) and "route" in answer and route is None:
            raise NoUsableDependency(str(answer.get("reason", "no usable dependency")))
        if isinstance(route, dict) and isinstance(route.get("dependency"), str):
            return Route(
                route["dependency"],
                route["dependency"] != primary,
                "bellwether",
                str(answer.get("reason", "")),
            )
        problem = "Bellwether answered without a route"
        break
    return Route(primary, False, "default", f"{problem}; using the primary")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: bellwether_route.py CONSUMER PRIMARY")
    try:
        print(json.dumps(choose_route(sys.argv[1], sys.argv[2])._asdict()))
    except NoUsableDependency as err:
        print(json.dumps({"dependency": None, "reason": str(err)}))
        sys.exit(3)
