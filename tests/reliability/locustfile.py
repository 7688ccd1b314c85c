"""Locust users for `test_load.py`: signed-in support staff browsing lists, searching and opening details.

Run by the test as `locust --headless ... --targets FILE`; FILE is JSON with `emails`, `password`,
`businesses` and `numbers` (record ids) and `searches`. Any answer but the expected status is a failure,
named by its status, so the report tells a 5xx from anything else.
"""

from __future__ import annotations

import functools
import itertools
import json
import random
import re
from typing import Any

from locust import HttpUser, between, events, task

CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
_accounts = itertools.count()


@events.init_command_line_parser.add_listener
def add_targets_option(parser: Any) -> None:
    parser.add_argument("--targets", default="", help="JSON file naming the accounts and records to browse")


@functools.cache
def load_targets(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as file:
        return json.load(file)


class SupportAgent(HttpUser):
    """One signed-in agent (its own session), reading the console at a human pace."""

    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.targets = load_targets(self.environment.parsed_options.targets)
        emails = self.targets["emails"]
        email = emails[next(_accounts) % len(emails)]
        page = self.client.get("/login", name="/login").text
        match = CSRF_INPUT.search(page)
        token = (match.group(1) or match.group(2)) if match else ""
        form = {"email": email, "password": self.targets["password"], "csrf_token": token}
        self.expect("POST", "/login", 302, data=form)

    def expect(
        self, method: str, url: str, status: int = 200, name: str | None = None, **kwargs: Any
    ) -> None:
        with self.client.request(
            method, url, name=name or url, allow_redirects=False, catch_response=True, **kwargs
        ) as response:
            if response.status_code == 0:
                response.failure(f"no answer: {response.error!r}")
            elif response.status_code != status:
                kind = "5xx" if response.status_code >= 500 else "unexpected"
                response.failure(f"{kind} HTTP {response.status_code}")

    @task(3)
    def browse_businesses(self) -> None:
        self.expect("GET", f"/admin/business/?page={random.randrange(6)}", name="/admin/business/?page")

    @task(2)
    def browse_numbers(self) -> None:
        self.expect("GET", f"/admin/phonenumber/?page={random.randrange(4)}", name="/admin/phonenumber/?page")

    @task(2)
    def browse_activity(self) -> None:
        self.expect("GET", "/admin/activity/", name="/admin/activity/")

    @task(1)
    def dashboard(self) -> None:
        self.expect("GET", "/admin/", name="/admin/")

    @task(3)
    def search(self) -> None:
        term = random.choice(self.targets["searches"])
        view = random.choice(("business", "phonenumber"))
        self.expect("GET", f"/admin/{view}/", name=f"/admin/{view}/?search", params={"search": term})

    @task(2)
    def open_business(self) -> None:
        business = random.choice(self.targets["businesses"])
        self.expect("GET", f"/admin/business/details/?id={business}", name="/admin/business/details/")

    @task(2)
    def open_number(self) -> None:
        number = random.choice(self.targets["numbers"])
        self.expect("GET", f"/admin/phonenumber/details/?id={number}", name="/admin/phonenumber/details/")
