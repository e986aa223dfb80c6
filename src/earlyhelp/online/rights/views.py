"""The public rights pages (no sign-in): ask for a copy of your records, a correction, to withdraw consent, or
complain. Thin: `journey` orders the questions, `forms` ask them, and one service stores the request when it is sent
(`earlyhelp.rights.services.online.receive_online_request`). The answers wait in the visitor's session until then,
never in a URL; no page shows anything from our records, and the confirmation shows only the reference and what
happens next."""

from django import forms as django_forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from earlyhelp.rights.services.online import receive_online_request
from earlyhelp.ui.forms import format_date
from earlyhelp.ui.service_forms import run_service

from ..protection import public_form_page, public_page
from . import journey

SESSION_KEY = "earlyhelp_rights_online"
SENT_KEY = "earlyhelp_rights_online_sent"


class SendForm(django_forms.Form):
    """The button on "Check your answers": the service's errors are shown on it."""


def _kind(slug) -> journey.Kind:
    kind = journey.KINDS.get(slug)
    if kind is None:
        raise Http404("Page not found")
    return kind


def _state(request, kind) -> dict:
    state = request.session.get(SESSION_KEY)
    return state if state and state.get("kind") == kind.slug else {"kind": kind.slug, "answers": {}, "done": []}


def _question_url(kind, step) -> str:
    return reverse("online:rights-question", args=[kind.slug, step.slug])


def _next(kind, state):
    step = journey.next_step(state["answers"], set(state["done"]))
    return redirect(_question_url(kind, step)) if step else redirect("online:rights-check", kind.slug)


@public_page
def start(request):
    return render(request, "online/rights/start.html", {"kinds": journey.KINDS.values()})


@public_form_page
def question(request, kind, step):
    kind, step = _kind(kind), journey.BY_SLUG.get(step)
    state = _state(request, kind)
    applies = journey.steps_for(state["answers"])
    if step is None or step not in applies:
        raise Http404("Page not found")
    first_missing = journey.next_step(state["answers"], set(state["done"]))
    if first_missing is not None and applies.index(step) > applies.index(first_missing):
        return redirect(_question_url(kind, first_missing))  # the questions are answered in order
    form_class = step.form_class(kind)
    initial = {name: journey.loaded(name, state["answers"][name]) for name in form_class.base_fields
               if name in state["answers"]}
    form = form_class(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if SESSION_KEY not in request.session:
            request.session.cycle_key()  # a new request starts a new session
        state["answers"].update({name: journey.stored(value) for name, value in form.cleaned_data.items()})
        state["done"] = sorted(set(state["done"]) | {step.slug})
        request.session[SESSION_KEY] = state
        return _next(kind, state)
    index = applies.index(step)
    back = _question_url(kind, applies[index - 1]) if index else reverse("online:rights-start")
    return render(request, "online/rights/question.html", {
        "kind": kind, "title": step.title, "form": form, "single": step.single, "lead": step.lead, "back": back,
        "first": index == 0})


def _display(field, value) -> str:
    if value in (None, ""):
        return ""
    if isinstance(field, django_forms.ChoiceField):
        return str(dict(field.choices).get(value, value))
    if isinstance(field, journey.forms.GovukDateField):
        return format_date(journey.loaded("subject_date_of_birth", value))
    return str(value)


def _rows(kind, answers) -> list[dict]:
    rows = []
    for step in journey.steps_for(answers):
        for name, field in step.form_class(kind).base_fields.items():
            rows.append({"label": str(getattr(field, "error_name", None) or field.label).rstrip("?"),
                         "value": _display(field, answers.get(name)), "url": _question_url(kind, step)})
    return rows


@public_form_page
def check(request, kind):
    kind = _kind(kind)
    state = _state(request, kind)
    if journey.next_step(state["answers"], set(state["done"])) is not None:
        return _next(kind, state)
    form = SendForm(request.POST or None)
    if request.method == "POST":
        saved = run_service(form, lambda: receive_online_request(**journey.service_answers(kind, state["answers"])))
        if saved is not None:
            request.session.pop(SESSION_KEY, None)
            request.session[SENT_KEY] = saved.reference
            return redirect("online:rights-sent")
    return render(request, "online/rights/check.html", {"kind": kind, "form": form,
                                                         "rows": _rows(kind, state["answers"])})


@public_page
def sent(request):
    reference = request.session.get(SENT_KEY)
    if not reference:
        return redirect("online:rights-start")
    return render(request, "online/rights/sent.html", {"reference": reference})
