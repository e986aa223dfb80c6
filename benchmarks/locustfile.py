"""The practitioner mix for the load benchmark (`benchmarks/load.py` runs it; not meant to be run by hand).

Each simulated practitioner is one signed-in user of the demo council (a session verified with a second factor,
made by `load.py` before the run and handed over in the JSON file named by EARLYHELP_LOAD_PLAN) who clicks about
once a second: the dashboard, a family page, a search, and now and then a case note (the form, the post, and the
family page it returns to). Only 127.0.0.1 is ever contacted.
"""

import itertools
import json
import os
import random
import re
from urllib.parse import urlparse

import requests
from locust import between, constant, task
from locust.contrib.fasthttp import FastHttpUser

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MATCHES = re.compile(r"(\d+|No) possible match")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

# How often each click is chosen (a practitioner's day: mostly families, then the dashboard, searches, notes).
WEIGHTS = {"dashboard": 3, "family_page": 4, "search": 2, "case_note": 1}
# Pause between one user's clicks: uniform, one second on average.
THINK_SECONDS = (0.5, 1.5)


def load_plan(path: str | None = None) -> dict:
    with open(path or os.environ["EARLYHELP_LOAD_PLAN"], encoding="utf-8") as handle:
        plan = json.load(handle)
    if urlparse(plan["host"]).hostname not in LOOPBACK:
        raise SystemExit("The load benchmark only ever contacts this machine (127.0.0.1).")
    return plan


PLAN = load_plan() if os.environ.get("EARLYHELP_LOAD_PLAN") else None
_next_seat = itertools.count()


class Practitioner(FastHttpUser):
    wait_time = between(*THINK_SECONDS)

    def on_start(self):
        seat = next(_next_seat)
        self.seat = PLAN["users"][seat % len(PLAN["users"])]
        self.rng = random.Random(PLAN["seed"] + seat)
        # Through requests itself, not locust's client: setting up a seat is not one of the practitioner's clicks.
        with requests.Session() as setup:
            setup.cookies.set(PLAN["session_cookie_name"], self.seat["session"])
            page = setup.get(self.host + "/search/", timeout=120)
            cookies = list(setup.cookies)
        found = CSRF_FIELD.search(page.text or "")
        if page.status_code != 200 or not found:
            raise RuntimeError(f"Seat {seat} is not signed in (HTTP {page.status_code})")
        self.csrf = found.group(1)
        for cookie in cookies:  # the session and the CSRF cookie
            self.client.cookiejar.set_cookie(cookie)

    def _post(self, path, data, **kwargs):
        return self.client.post(path, data=dict(data, csrfmiddlewaretoken=self.csrf),
                                headers={"Referer": self.host + path}, allow_redirects=False, **kwargs)

    @task(WEIGHTS["dashboard"])
    def dashboard(self):
        with self.client.get("/", name="dashboard", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    @task(WEIGHTS["family_page"])
    def family_page(self, household=None):
        household = household or self.rng.choice(self.seat["households"])
        with self.client.get(f"/families/{household}/", name="family page", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    @task(WEIGHTS["search"])
    def search(self):
        form = self.rng.choice(PLAN["searches"])
        with self._post("/search/", form, name="search", catch_response=True) as response:
            if response.status_code != 200 or not MATCHES.search(response.text or ""):
                response.failure(f"HTTP {response.status_code}" if response.status_code != 200 else "no result list")

    @task(WEIGHTS["case_note"])
    def case_note(self):
        if not self.seat["note_households"]:
            return self.family_page()
        household = self.rng.choice(self.seat["note_households"])
        path = f"/families/{household}/notes/new/"
        with self.client.get(path, name="case note form", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return None
        note = {"text": "Load benchmark: a synthetic case note. " + "Visited the family at home. " * 8,
                "channel": "face_to_face", "source": "practitioner"}
        with self._post(path, note, name="case note (save)", catch_response=True) as response:
            if response.status_code != 302 or f"/families/{household}/" not in response.headers.get("Location", ""):
                response.failure(f"HTTP {response.status_code}")
                return None
        return self.family_page(household)  # the browser follows the redirect back to the family


class BusyClient(FastHttpUser):
    """Headroom (`load.py --scenario family-page` or `ceiling`): a client that sends its next request as soon as the
    last one is answered, so the server is saturated and its throughput is what is measured."""

    abstract = True
    wait_time = constant(0)
    path_name = ""

    def on_start(self):
        seat = next(_next_seat)
        self.seat = PLAN["users"][seat % len(PLAN["users"])]
        self.rng = random.Random(PLAN["seed"] + seat)
        self.client.cookiejar.set_cookie(_session_cookie(PLAN["session_cookie_name"], self.seat["session"]))


class FamilyPageClient(BusyClient):
    @task
    def family_page(self):
        household = self.rng.choice(self.seat["households"])
        with self.client.get(f"/families/{household}/", name="family page", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


class CeilingClient(BusyClient):
    """The framework's own ceiling: a trivial signed-in view (benchmarks/ceiling_urls.py) through every middleware
    the family page goes through, with the same session."""

    @task
    def trivial(self):
        with self.client.get("/benchmark-ceiling/", name="trivial view", catch_response=True) as response:
            if response.status_code != 200 or response.text != "ok":
                response.failure(f"HTTP {response.status_code}")


def _session_cookie(name, value):
    from http.cookiejar import Cookie

    return Cookie(version=0, name=name, value=value, port=None, port_specified=False, domain="127.0.0.1",
                  domain_specified=False, domain_initial_dot=False, path="/", path_specified=True, secure=False,
                  expires=None, discard=True, comment=None, comment_url=None, rest={}, rfc2109=False)
