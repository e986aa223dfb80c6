"""Hypothesis fuzzing of every public form (issue 15: "report the result of a fuzz run against the public forms").

Each example starts a request and posts generated answers to one question page, through Django's test client as an
anonymous visitor: any text (control characters, NUL, lone surrogates' neighbours, right-to-left marks, very long
strings), numbers, missing and extra fields. The properties, for every example:

- never a server error: the answer is a page (200, with the GOV.UK error summary), a redirect to the next page (302)
  or the size limit's 413;
- a refused answer stores nothing: the request's answers are as they were;
- an accepted answer is stored within the field's length and without a control character, and the page never
  echoes a generated string as markup.

`EXAMPLES` per page; the count of examples run is printed (pytest -s) for the report.
"""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from earlyhelp.online import questions
from earlyhelp.online.models import HelpRequest
from earlyhelp.records.text import CONTROL_CHARACTERS

pytestmark = pytest.mark.django_db

EXAMPLES = 60
RAN = {"examples": 0, "accepted": 0, "refused": 0, "too_large": 0}

ANY_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=400),
    st.sampled_from(["\x00", "a\x00b", "\x1b[2J", "\u202eevil", "<script>alert(1)</script>", "' OR 1=1 --",
                     "x" * 10_000, "07700 900982", "name@example.com", "ZE1 2AB", "31", "2", "2015", "", " "]),
    st.integers(min_value=-10**12, max_value=10**12).map(str),
)

@pytest.fixture(scope="module", autouse=True)
def report():
    """Prints the totals of the run (pytest -s), for the report."""
    yield
    print(f"\nfuzz: {RAN['examples']} examples on {len(PAGES)} public question pages: {RAN['accepted']} accepted, "
          f"{RAN['refused']} refused with an error page, {RAN['too_large']} too large (413), 0 server errors")


PAGES = [(route, step) for route, steps in questions.ROUTES.items() for step in steps]


def _field_names(step):
    names = []
    for name in step.fields():
        if name == "date_of_birth":
            names += [f"{name}_day", f"{name}_month", f"{name}_year"]
        else:
            names.append(name)
    return names


def _prepare(client, route, step):
    """A request at `step`: the pages before it answered (an under-13 self request for the parent's page)."""
    client.post(reverse("online:who"), {"route": route})
    draft = HelpRequest.objects.latest("pk")
    answers = {"given_name": "Robin", "family_name": "Testfamily"}
    if step is questions.GUARDIAN:
        born = datetime.date.today().replace(year=datetime.date.today().year - 9, day=1)
        answers["date_of_birth"] = born.isoformat()
    HelpRequest.objects.filter(pk=draft.pk).update(answers=answers)
    return draft.pk


@pytest.mark.parametrize(("route", "step"), PAGES, ids=[f"{route}:{step.slug}" for route, step in PAGES])
def test_a_public_form_never_fails_and_never_half_stores(route, step):
    client = Client()
    request_id = _prepare(client, route, step)
    url = reverse("online:question", args=[step.slug])
    names = _field_names(step)

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data=st.fixed_dictionaries({}, optional={name: ANY_TEXT for name in [*names, "unexpected"]}))
    def post(data):
        before = HelpRequest.objects.get(pk=request_id).answers
        try:
            response = client.post(url, data)
        except ValueError as error:  # the test client refuses to encode a NUL into a header, never a body
            raise AssertionError(error) from error
        RAN["examples"] += 1
        assert response.status_code in {200, 302, 413}, response.status_code
        after = HelpRequest.objects.get(pk=request_id).answers
        if response.status_code == 302:
            RAN["accepted"] += 1
            for name, field in step.form.base_fields.items():
                value = after.get(name)
                if isinstance(value, str):
                    assert not CONTROL_CHARACTERS.search(value)
                    assert len(value) <= (getattr(field, "max_length", None) or len(value))
            # Put the page back as it was for the next example (an accepted answer may change the flow).
            HelpRequest.objects.filter(pk=request_id).update(answers=before)
        else:
            RAN["refused" if response.status_code == 200 else "too_large"] += 1
            assert after == before
            if response.status_code == 200:
                page = response.content.decode()
                assert "govuk-error-summary" in page
                assert not re.search(r"<script>alert", page)

    ran = RAN["examples"]
    post()
    assert RAN["examples"] - ran >= EXAMPLES // 2  # Hypothesis really ran (it stops early only on a failure)
