"""The public pages of "Ask for early help" (no sign-in). Thin: forms ask, `services` store, `questions` decide the
order. The draft's id is kept in the visitor's session, never in a URL; the page never repeats what was typed
anywhere but in its own form field (escaped) and on "Check your answers"."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from earlyhelp.ui.service_forms import run_service

from . import forms, questions, services
from .models import HelpRequest, RequestStatus, Route
from .protection import public_form_page, public_page

SESSION_KEY = "earlyhelp_online_request"
SENT_KEY = "earlyhelp_online_sent"


def _posted(request):
    """The posted answers, or None for a GET (an empty POST is still a submission, e.g. "Send request")."""
    return request.POST if request.method == "POST" else None


def _draft(request) -> HelpRequest | None:
    pk = request.session.get(SESSION_KEY)
    found = HelpRequest.objects.filter(pk=pk, status=RequestStatus.DRAFT).first() if pk else None
    if pk and found is None:
        request.session.pop(SESSION_KEY, None)
    return found


def _next(draft: HelpRequest):
    step = questions.next_step(draft.route, draft.answers)
    return redirect("online:question", step.slug) if step else redirect("online:check")


def _page(request, template, context, status=200):
    return render(request, template, {"public_days": settings.EARLYHELP_PUBLIC_DRAFT_DAYS, **context}, status=status)


@public_page
def start(request):
    return _page(request, "online/start.html", {"draft": _draft(request)})


@public_page
def accessibility(request):
    return _page(request, "online/accessibility.html", {})


@public_form_page
def who(request):
    draft = _draft(request)
    if draft is not None:
        return _next(draft)
    form = forms.RouteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        created = run_service(form, lambda: services.start_request(route=form.cleaned_data["route"]))
        if created:
            request.session.cycle_key()  # a new request starts a new session: nothing of another is reachable
            request.session[SESSION_KEY] = created.pk
            return _next(created)
    return _page(request, "online/question.html", {"form": form, "title": form["route"].label, "single": True,
                                                   "back": reverse("online:start"), "button": "Continue"})


@public_form_page
def question(request, step):
    draft = _draft(request)
    if draft is None:
        return redirect("online:start")
    current = questions.STEPS.get(step)
    if current is None or current not in questions.steps_for(draft.route, draft.answers):
        raise Http404("Page not found")
    form = current.form(_posted(request), initial=questions.initial(current, draft.answers))
    if len(form.fields) == 1:  # one question: its label is the page's heading, the step's title
        next(iter(form.fields.values())).label = current.title
    if request.method == "POST" and form.is_valid():
        answers = {name: questions.stored(value) for name, value in form.cleaned_data.items()}
        merged = {**draft.answers, **answers}
        clear = questions.no_longer_asked(draft.route, merged)
        saved = run_service(form, lambda: services.save_answers(request_id=draft.pk, step=current.slug,
                                                                answers=answers, clear=clear))
        if saved:
            return _next(saved)
    previous = questions.previous_step(draft.route, draft.answers, current)
    back = reverse("online:question", args=[previous.slug]) if previous else reverse("online:who")
    return _page(request, "online/question.html", {
        "form": form, "step": current, "title": current.title, "lead": current.lead, "back": back,
        "single": len(form.fields) == 1, "draft": draft, "button": "Continue",
        "guardian": current is questions.GUARDIAN, "permission_age": questions.permission_age()})


@public_form_page
def check(request):
    draft = _draft(request)
    if draft is None:
        return redirect("online:start")
    if not questions.is_complete(draft.route, draft.answers):
        return _next(draft)
    form = forms.PublicForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        sent = run_service(form, lambda: services.submit_request(
            request_id=draft.pk, complete=questions.is_complete(draft.route, draft.answers)))
        if sent:
            request.session.pop(SESSION_KEY, None)
            request.session[SENT_KEY] = sent.reference
            return redirect("online:sent")
    return _page(request, "online/check.html", {
        "form": form, "rows": questions.answer_rows(draft.route, draft.answers), "draft": draft,
        "professional": draft.route == Route.PROFESSIONAL})


@public_page
def sent(request):
    reference = request.session.get(SENT_KEY)
    if not reference:
        return redirect("online:start")
    return _page(request, "online/sent.html", {"reference": reference})


@public_page
def other_help(request):
    return _page(request, "online/other_help.html", {"help_lines": questions.help_lines(),
                                                     "permission_age": questions.permission_age()})


@public_form_page
def resume(request):
    form = forms.ResumeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        reference = "".join(form.cleaned_data["reference"].upper().split())
        found = HelpRequest.objects.filter(reference=reference, status=RequestStatus.DRAFT).first()
        if found is None:
            form.add_error("reference", forms.messages.REFERENCE_NOT_FOUND)
        else:
            request.session.cycle_key()
            request.session[SESSION_KEY] = found.pk
            return _next(found)
    return _page(request, "online/question.html", {"form": form, "title": "Continue a request you started",
                                                   "single": True, "back": reverse("online:start"),
                                                   "button": "Continue"})
