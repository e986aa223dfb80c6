"""The privacy notice, generated from the processing register: public, as a page and as a PDF."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from earlyhelp.organisations.models import OrganisationType

from .models import PrivacyNotice

OTHER_RECIPIENTS = {
    "ons": "the Office for National Statistics, as a trusted third party for research",
    "dluhc_dfe": "the government department that runs the Supporting Families programme",
    "ico": "the Information Commissioner's Office",
}


def recipient_label(code: str) -> str:
    if code in OTHER_RECIPIENTS:
        return OTHER_RECIPIENTS[code]
    return OrganisationType(code).label if code in OrganisationType.values else code


def _notice(version):
    notices = PrivacyNotice.objects.all()
    notice = notices.filter(version=version).first() if version else notices.order_by("-version").first()
    if notice is None:
        raise Http404("Page not found")
    return notice


def _context(notice):
    purposes = [
        {**p, "recipients": [recipient_label(code) for code in p["recipient_types"]]}
        for p in notice.content["purposes"]
    ]
    return {"notice": notice, "purposes": purposes, "statements": notice.content["statements"],
            "versions": PrivacyNotice.objects.values_list("version", "published_at")}


def notice_page(request, version=None):
    return render(request, "privacy/notice.html", _context(_notice(version)))


def notice_pdf(request, version=None):
    from weasyprint import (
        HTML,  # imported here: loading Pango is slow and only the PDF needs it
    )

    notice = _notice(version)
    html = render_to_string("privacy/notice_print.html", _context(notice), request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="privacy-notice-v{notice.version}.pdf"'
    return response
