"""The GOV.UK form components: ui/includes/field.html, ui/includes/error_summary.html,
GovukDateField, and the page templates (web/base.html, error pages). No database needed."""

import datetime
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django import forms
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.base import Message
from django.http import HttpResponse
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.urls import include, path, resolve

from earlyhelp.ui.forms import GovukDateField, GovukDateWidget, today

# --- a URL configuration with the names web/base.html links to (ROOT_URLCONF for page tests) ---


def _stub_view(request):
    return HttpResponse("stub")


urlpatterns = [
    path(
        "",
        include(
            (
                [
                    path("", _stub_view, name="dashboard"),
                    path("search/", _stub_view, name="search"),
                    path("contacts/new/", _stub_view, name="contact-new"),
                    path("sign-out/", _stub_view, name="sign-out"),
                    path("privacy-notice/", _stub_view, name="privacy-notice"),
                ],
                "web",
            )
        ),
    ),
    path("contacts/online/", include(([path("", _stub_view, name="list")], "online_requests"))),
]
use_stub_urls = override_settings(ROOT_URLCONF=__name__)


# --- helpers ------------------------------------------------------------------------------------


def squash(html: str) -> str:
    """Collapse whitespace so assertions do not depend on template indentation."""
    return re.sub(r"\s+", " ", html)


def render_field(form, name, **extra):
    return squash(render_to_string("ui/includes/field.html", {"field": form[name], **extra}))


def tag_with_id(html: str, element_id: str) -> str:
    """The opening tag of the element with this id."""
    match = re.search(r"<[a-z]+[^>]*\bid=\"%s\"[^>]*>" % re.escape(element_id), html)
    assert match, f"no element with id={element_id!r} in {html}"
    return match.group(0)


class ContactForm(forms.Form):
    full_name = forms.CharField(
        label="Full name",
        help_text="As it appears on their records",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "name"}),
    )
    known_as = forms.CharField(label="Known as", required=False, max_length=50)
    email = forms.EmailField(label="Email address", required=False)
    age = forms.IntegerField(label="Age", required=False)
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)
    team = forms.ChoiceField(label="Team", choices=[("", "Choose a team"), ("north", "North"), ("south", "South")])
    source = forms.ChoiceField(
        label="Who made the contact?",
        choices=[("", "---------"), ("school", "School"), ("health", "Health visitor")],
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
    )
    needs = forms.MultipleChoiceField(
        label="Needs",
        choices=[("housing", "Housing"), ("school", "School attendance")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    consent = forms.BooleanField(label="The family agrees to share information", help_text="Ask them first")
    letter = forms.FileField(label="Referral letter", required=False)
    date_of_birth = GovukDateField(label="Date of birth", help_text="For example, 27 3 2007", max_date=today)
    ref = forms.CharField(widget=forms.HiddenInput, required=False)


VALID = {
    "full_name": "Sam Example",
    "team": "north",
    "source": "school",
    "consent": "on",
    "date_of_birth_day": "27",
    "date_of_birth_month": "3",
    "date_of_birth_year": "2007",
}


def bound(**changes):
    data = {**VALID, **changes}
    for key, value in list(data.items()):
        if value is None:
            del data[key]
    form = ContactForm(data=data)
    form.is_valid()
    return form


# --- field.html ---------------------------------------------------------------------------------


def test_valid_form_cleans_the_date():
    form = bound()
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == datetime.date(2007, 3, 27)


def test_text_input_with_error_has_govuk_error_markup():
    html = render_field(bound(full_name=""), "full_name")
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert '<label class="govuk-label" for="id_full_name">Full name</label>' in html
    assert '<div id="id_full_name-hint" class="govuk-hint">As it appears on their records</div>' in html
    assert (
        '<p id="id_full_name-error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> This field is required.</p>'
    ) in html
    control = tag_with_id(html, "id_full_name")
    assert control.startswith("<input ")
    assert 'class="govuk-input govuk-input--width-20 govuk-input--error"' in control
    assert 'aria-describedby="id_full_name-hint id_full_name-error"' in control
    assert 'autocomplete="name"' in control
    assert "required" not in control  # GOV.UK forms validate on the server


def test_text_input_without_error_has_no_error_markup():
    html = render_field(bound(), "full_name")
    assert "--error" not in html
    assert "govuk-error-message" not in html
    assert 'aria-describedby="id_full_name-hint"' in tag_with_id(html, "id_full_name")
    assert 'value="Sam Example"' in html


@pytest.mark.promise("P3")
@pytest.mark.promise("P3")
def test_optional_fields_say_optional_and_required_ones_do_not():
    form = bound()
    assert ">Known as (optional)</label>" in render_field(form, "known_as")
    assert ">Email address (optional)</label>" in render_field(form, "email")
    assert "Needs (optional)" in render_field(form, "needs")
    assert ">Full name</label>" in render_field(form, "full_name")
    assert "(optional)" not in render_field(form, "full_name")
    assert "(optional)" not in render_field(form, "team")
    assert "(optional)" not in render_field(form, "date_of_birth")


def test_number_input_uses_text_with_numeric_keyboard():
    html = render_field(bound(age="x"), "age")
    control = tag_with_id(html, "id_age")
    assert 'type="text"' in control and 'inputmode="numeric"' in control
    assert "govuk-input--error" in control
    assert 'aria-describedby="id_age-error"' in control


def test_email_input_keeps_its_type():
    assert 'type="email"' in tag_with_id(render_field(bound(email="a@example.org"), "email"), "id_email")


def test_textarea_select_and_file_markup():
    form = bound(notes="Line one", team="")
    textarea = render_field(form, "notes")
    assert '<textarea class="govuk-textarea"' in textarea and "Line one</textarea>" in textarea
    select = render_field(form, "team")
    assert '<select class="govuk-select govuk-select--error" id="id_team" name="team"' in select
    assert '<option value="north">North</option>' in select
    assert "govuk-form-group--error" in select
    upload = render_field(form, "letter")
    assert '<input class="govuk-file-upload" id="id_letter" name="letter" type="file"' in upload


def test_selected_option_is_selected():
    assert '<option value="south" selected>South</option>' in render_field(bound(team="south"), "team")


def test_radios_use_a_fieldset_and_skip_the_blank_dash():
    html = render_field(bound(source=None), "source", label_class="govuk-label--m")
    assert '<fieldset class="govuk-fieldset" aria-describedby="id_source-error">' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--m">' in html
    assert 'class="govuk-radios govuk-radios--inline" data-module="govuk-radios"' in html
    assert "---------" not in html
    # The first radio has the field's own id, so the error summary link lands on it.
    assert 'id="id_source" name="source" type="radio" value="school"' in html
    assert '<label class="govuk-label govuk-radios__label" for="id_source">School</label>' in html
    assert html.count('type="radio"') == 2
    assert "govuk-form-group--error" in html


def test_checked_radio_is_checked():
    html = render_field(bound(source="health"), "source")
    assert re.search(r'value="health" checked', html)
    assert not re.search(r'value="school" checked', html)


def test_checkboxes_for_multiple_choice():
    html = render_field(bound(needs=["school"]), "needs")
    assert 'class="govuk-checkboxes" data-module="govuk-checkboxes"' in html
    assert 'id="id_needs" name="needs" type="checkbox" value="housing">' in html
    assert 'value="school" checked' in html


def test_single_checkbox_is_a_one_item_checkboxes():
    html = render_field(bound(consent=None), "consent")
    assert html.count('type="checkbox"') == 1
    control = tag_with_id(html, "id_consent")
    assert 'class="govuk-checkboxes__input"' in control
    assert 'aria-describedby="id_consent-hint id_consent-error"' in control
    assert '<div id="id_consent-hint" class="govuk-hint govuk-checkboxes__hint">Ask them first</div>' in html
    assert "govuk-form-group--error" in html
    assert "checked" not in render_field(bound(consent=None), "consent")
    assert "checked" in tag_with_id(render_field(bound(), "consent"), "id_consent")


def test_page_heading_label():
    html = render_field(bound(), "full_name", is_page_heading=True)
    assert '<h1 class="govuk-label-wrapper"><label class="govuk-label govuk-label--l" for="id_full_name">' in html
    legend = render_field(bound(), "source", is_page_heading=True)
    assert (
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--l"> <h1 class="govuk-fieldset__heading">'
    ) in legend


def test_hidden_field_is_a_plain_hidden_input():
    html = render_field(bound(ref="abc"), "ref")
    assert html.strip() == '<input type="hidden" name="ref" id="id_ref" value="abc">'


def test_user_input_is_escaped():
    html = render_field(bound(full_name='"><script>alert(1)</script>'), "full_name")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


# --- the date input -----------------------------------------------------------------------------


def date_errors(day, month, year, **field_kwargs):
    class DateForm(forms.Form):
        when = GovukDateField(label="Date of birth", **field_kwargs)

    form = DateForm(data={"when_day": day, "when_month": month, "when_year": year})
    assert not form.is_valid()
    return form, form.errors["when"]


def test_date_empty_and_required():
    form, errors = date_errors("", "", "")
    assert errors == ["Enter date of birth"]
    html = render_field(form, "when")
    assert html.count("govuk-input--error") == 3  # nothing entered: the whole date


def test_date_missing_month_highlights_only_the_month():
    form, errors = date_errors("3", "", "2020")
    assert errors == ["Date of birth must include a month"]
    html = render_field(form, "when")
    assert "govuk-input--error" in tag_with_id(html, "id_when_month")
    assert "govuk-input--error" not in tag_with_id(html, "id_when_day")
    assert "govuk-input--error" not in tag_with_id(html, "id_when_year")
    summary = squash(render_to_string("ui/includes/error_summary.html", {"form": form}))
    assert '<a href="#id_when_month">Date of birth must include a month</a>' in summary


def test_date_missing_two_parts():
    assert date_errors("", "", "2020")[1] == ["Date of birth must include a day and month"]
    assert date_errors("1", "", "")[1] == ["Date of birth must include a month and year"]


def test_date_that_does_not_exist():
    form, errors = date_errors("31", "02", "2024")
    assert errors == ["Date of birth must be a real date"]
    assert render_field(form, "when").count("govuk-input--error") == 3
    summary = render_to_string("ui/includes/error_summary.html", {"form": form})
    assert 'href="#id_when_day"' in summary


def test_date_month_out_of_range_highlights_the_month():
    form, errors = date_errors("1", "13", "2020")
    assert errors == ["Date of birth must be a real date"]
    html = render_field(form, "when")
    assert "govuk-input--error" in tag_with_id(html, "id_when_month")
    assert "govuk-input--error" not in tag_with_id(html, "id_when_day")


def test_date_two_digit_year():
    form, errors = date_errors("1", "2", "24")
    assert errors == ["Year must include 4 numbers"]
    assert "govuk-input--error" in tag_with_id(render_field(form, "when"), "id_when_year")


def test_date_in_the_future_with_max_date_today():
    tomorrow = today() + datetime.timedelta(days=1)
    form, errors = date_errors(str(tomorrow.day), str(tomorrow.month), str(tomorrow.year), max_date=today)
    assert errors == ["Date of birth must be today or in the past"]


def test_date_limits_with_fixed_dates():
    limit = datetime.date(2024, 3, 1)
    assert date_errors("2", "3", "2024", max_date=lambda: limit)[1] == [
        "Date of birth must be the same as or before 1 March 2024"
    ]
    assert date_errors("29", "2", "2024", min_date=limit)[1] == [
        "Date of birth must be the same as or after 1 March 2024"
    ]


def test_date_today_passes_max_date_today():
    now = today()

    class DateForm(forms.Form):
        when = GovukDateField(label="Date of contact", max_date=today)

    form = DateForm(data={"when_day": str(now.day), "when_month": str(now.month), "when_year": str(now.year)})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["when"] == now


def test_date_accepts_month_names_and_spaces():
    class DateForm(forms.Form):
        when = GovukDateField(label="Date of contact")

    form = DateForm(data={"when_day": " 05 ", "when_month": "Feb", "when_year": "2024"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["when"] == datetime.date(2024, 2, 5)


def test_optional_date_left_empty_is_none():
    class DateForm(forms.Form):
        when = GovukDateField(label="Date closed", required=False)

    form = DateForm(data={"when_day": "", "when_month": "", "when_year": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["when"] is None
    assert "Date closed (optional)" in render_field(form, "when")


def test_error_name_and_unlabelled_field():
    class DateForm(forms.Form):
        first_met = GovukDateField(label="When did you first meet the family?", error_name="the date you first met")
        review_date = GovukDateField()

    form = DateForm(data={})
    assert not form.is_valid()
    assert form.errors["first_met"] == ["Enter the date you first met"]
    assert form.errors["review_date"] == ["Enter review date"]


def test_date_widget_initial_value_and_names():
    class DateForm(forms.Form):
        when = GovukDateField(label="Date of birth", widget=GovukDateWidget(autocomplete="bday"))

    html = render_field(DateForm(initial={"when": datetime.date(2010, 7, 4)}), "when")
    day = tag_with_id(html, "id_when_day")
    assert 'name="when_day"' in day and 'value="4"' in day and 'autocomplete="bday-day"' in day
    assert 'inputmode="numeric"' in day and 'type="text"' in day
    assert 'value="2010"' in tag_with_id(html, "id_when_year")
    assert '<fieldset class="govuk-fieldset" role="group">' in html
    assert 'class="govuk-date-input" id="id_when"' in html


def test_date_has_changed():
    class DateForm(forms.Form):
        when = GovukDateField(label="Date of birth")

    initial = {"when": datetime.date(2010, 7, 4)}
    same = DateForm(initial=initial, data={"when_day": "04", "when_month": "07", "when_year": "2010"})
    assert same.changed_data == []
    other = DateForm(initial=initial, data={"when_day": "5", "when_month": "7", "when_year": "2010"})
    assert other.changed_data == ["when"]


# --- error_summary.html -------------------------------------------------------------------------


def test_error_summary_lists_each_error_with_a_link_to_its_control():
    form = bound(full_name="", source=None, date_of_birth_year="07")
    form.add_error(None, "These details match a family who already has an open case")
    html = squash(render_to_string("ui/includes/error_summary.html", {"form": form}))
    assert '<div class="govuk-error-summary" data-module="govuk-error-summary">' in html
    assert '<div role="alert"> <h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    assert "<li>These details match a family who already has an open case</li>" in html
    assert '<li><a href="#id_full_name">This field is required.</a></li>' in html
    assert '<li><a href="#id_source">This field is required.</a></li>' in html
    assert '<li><a href="#id_date_of_birth_year">Year must include 4 numbers</a></li>' in html
    # in the order the fields appear on the page
    assert html.index("#id_full_name") < html.index("#id_source") < html.index("#id_date_of_birth_year")


def test_error_summary_is_empty_without_errors():
    assert render_to_string("ui/includes/error_summary.html", {"form": bound()}).strip() == ""
    assert render_to_string("ui/includes/error_summary.html", {"form": ContactForm()}).strip() == ""
    assert render_to_string("ui/includes/error_summary.html", {}).strip() == ""


# --- page templates -----------------------------------------------------------------------------


def page_request(url="/search/", authenticated=True):
    request = RequestFactory().get(url)
    request.resolver_match = resolve(url)
    request.csp_nonce = "n0nce-for-test"
    request.user = SimpleNamespace(is_authenticated=authenticated, is_active=authenticated, role="lead_practitioner")
    return request


def assert_csp_safe(html: str) -> None:
    """Every script is external or carries the nonce; no inline styles anywhere."""
    for script in re.findall(r"<script\b[^>]*>", html):
        assert 'nonce="n0nce-for-test"' in script, script
    assert not re.search(r"<[a-z][^>]*\sstyle=", html)
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers


@use_stub_urls
def test_base_page_structure():
    html = render_to_string(
        "web/404.html",
        {"demo_mode": True, "messages": [Message(message_levels.SUCCESS, "Contact saved")]},
        request=page_request(),
    )
    assert '<html lang="en" class="govuk-template">' in html
    assert '<body class="govuk-template__body">' in html
    assert "js-enabled" in html and "govuk-frontend-supported" in html
    assert_csp_safe(html)
    assert '<a href="#main-content" class="govuk-skip-link"' in html
    assert '<main class="govuk-main-wrapper" id="main-content">' in html
    assert "<title>Page not found – Early Help case management – " in html
    # Council look: generic header, no GOV.UK crown or logo, no GDS Transport.
    assert "govuk-generic-header" in html
    assert "govuk-header__logotype" not in html and "crown" not in html.lower() and "GOV.UK" not in html
    assert "Early Help case management</a>" in html
    assert "This is a demonstration system holding synthetic data only" in html
    # Landmarks (axe "region"): the phase banner is inside the header, as GOV.UK Frontend 6's template now places it.
    header = html[html.index("<header"):html.index("</header>")]
    assert "govuk-phase-banner" in header
    assert "govuk-notification-banner--success" in html and "Contact saved" in html
    assert 'src="/static/earlyhelp/init.js"' in html and 'type="module"' in html
    assert 'href="/static/earlyhelp/build/earlyhelp.css"' in html


@use_stub_urls
def test_navigation_for_a_signed_in_user_and_post_sign_out():
    html = squash(render_to_string("web/404.html", {}, request=page_request("/search/")))
    assert 'href="/">My dashboard</a>' in html
    assert 'href="/contacts/new/">New contact</a>' in html
    assert (
        '<a class="govuk-service-navigation__link" href="/search/" aria-current="page">'
        '<strong class="govuk-service-navigation__active-fallback">Search</strong></a>'
    ) in html
    sign_out = re.search(r'<form method="post" action="/sign-out/"[^>]*>.*?</form>', html)
    assert sign_out, "sign out must be a POST form"
    assert 'name="csrfmiddlewaretoken"' in sign_out.group(0)
    assert '<button type="submit"' in sign_out.group(0) and "Sign out</button>" in sign_out.group(0)
    assert 'href="/sign-out/"' not in html


@use_stub_urls
def test_no_navigation_or_demo_banner_when_signed_out():
    request = page_request("/", authenticated=False)
    html = render_to_string("web/locked_out.html", {"demo_mode": False}, request=request)
    assert "Sign out" not in html and "My dashboard" not in html
    assert "demonstration system" not in html
    assert "Your account is locked" in html
    assert "30 minutes" in html and "system administrator" in html
    assert_csp_safe(html)


@use_stub_urls
def test_title_says_error_when_the_form_has_errors():
    request = page_request()
    with_errors = render_to_string("web/404.html", {"form": bound(full_name="")}, request=request)
    assert "<title>Error: Page not found" in with_errors
    assert "<title>Page not found" in render_to_string("web/404.html", {"form": bound()}, request=request)
    assert "<title>Error: Page not found" in render_to_string("web/404.html", {"has_errors": True}, request=request)


@use_stub_urls
def test_forbidden_and_not_found_pages_read_the_same():
    request = page_request()
    not_found = render_to_string("web/404.html", {}, request=request)
    forbidden = render_to_string("web/403.html", {}, request=request)

    def main(html):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)

    assert main(forbidden) == main(not_found)
    assert "Page not found" in forbidden
    for word in ("permission", "access", "forbidden", "not allowed", "exists"):
        assert word not in forbidden.lower()


def test_server_error_page_needs_no_request():
    html = render_to_string("web/500.html")
    assert "Sorry, there is a problem with the service" in html
    assert "Early Help case management" in html
    assert "<script" not in html
    assert 'href="/static/earlyhelp/build/earlyhelp.css"' in html


@use_stub_urls
def test_nonce_matches_the_csp_header():
    from csp.middleware import CSPMiddleware

    def view(request):
        return HttpResponse(render_to_string("web/404.html", {}, request=request))

    request = RequestFactory().get("/")
    request.resolver_match = resolve("/")
    request.user = SimpleNamespace(is_authenticated=True, is_active=True, role="lead_practitioner")
    response = CSPMiddleware(view)(request)
    header = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", header).group(1)
    body = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", body)
    assert scripts and all(f'nonce="{nonce}"' in script for script in scripts)
    assert "'unsafe-inline'" not in header


# --- the built stylesheet (only when `npm run build` has been run) -------------------------------

STATIC = Path(__file__).resolve().parents[2] / "web" / "static" / "earlyhelp"  # the built front end is served by web


def test_scss_turns_off_gds_transport():
    scss = (Path(__file__).resolve().parents[4] / "frontend" / "earlyhelp.scss").read_text()
    assert "$govuk-include-default-font-face: false" in scss
    assert "$govuk-font-family: (arial, sans-serif)" in scss


def test_built_css_has_no_gds_transport_or_crown_font():
    built = STATIC / "build" / "earlyhelp.css"
    assert built.exists(), "The front end is not built: run `make test` (or `bash scripts/build_frontend.sh`)"
    css = built.read_text()
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "font-family:arial,sans-serif" in css
    assert ".govuk-generic-header" in css and ".eh-marker" in css


def test_a_back_link_is_in_a_labelled_navigation_landmark_and_no_empty_landmark_is_left():
    template = engines["django"].from_string(
        '{% load landmarks %}{% navigation_if_any "Back" %}{% if back %}<a class="govuk-back-link" href="/">Back</a>'
        '{% endif %}{% end_navigation_if_any %}')
    assert template.render({"back": True}) == '<nav aria-label="Back"><a class="govuk-back-link" href="/">Back</a></nav>'
    assert template.render({"back": False}) == ""
