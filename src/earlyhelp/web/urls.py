from django.urls import path

from earlyhelp.access import partner_review
from earlyhelp.access import views as access
from earlyhelp.casework import list_views as casework_lists
from earlyhelp.casework import sharing_views as sharing
from earlyhelp.casework import views as casework
from earlyhelp.people import views as people
from earlyhelp.privacy import panel_views as panels
from earlyhelp.privacy import register_views as processing_register
from earlyhelp.privacy import views as privacy
from earlyhelp.privacy.governance import views as registers
from earlyhelp.rights import subject_access_views as subject_access

from . import views

app_name = "web"
family = "families/<id:household_id>/"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("privacy-notice/", privacy.notice_page, name="privacy-notice"),
    path("privacy-notice/<id:version>/", privacy.notice_page, name="privacy-notice-version"),
    path("privacy-notice/<id:version>/pdf/", privacy.notice_pdf, name="privacy-notice-pdf"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("", views.dashboard, name="dashboard"),
    path("reviews/", casework_lists.reviews, name="reviews"),
    path("reviews/overdue/", casework_lists.overdue_reviews, name="overdue-reviews"),
    path("actions/", casework_lists.actions, name="actions"),
    path("contacts/", casework_lists.contacts, name="contacts"),
    path("access-log/", views.family_access_log_lookup, name="access-log-lookup"),
    path("search/", people.search, name="search"),
    path("people/<id:person_id>/", people.person_detail, name="person"),
    path("people/<id:person_id>/emergency-access/", access.emergency_access, name="emergency-access"),
    path("access/emergency/", access.emergency_reviews, name="emergency-reviews"),
    path("access/partners/", partner_review.partner_access_reviews, name="partner-access-reviews"),
    path("contacts/new/", casework.contact_new, name="contact-new"),
    path("contacts/new/person/", casework.contact_new_person, name="contact-new-person"),
    path("contacts/new/<id:person_id>/", casework.contact_details, name="contact-details"),
    path("contacts/<id:contact_id>/", casework.contact_detail, name="contact"),
    path(family, casework.family, name="family"),
    path("families/<slug:which>/", casework_lists.families, name="families"),  # after the family page: ids first
    path(family + "viewers/", casework.family_viewers, name="family-viewers"),
    path(family + "chronology/", casework.family_chronology, name="family-chronology"),
    path(family + "access/", access.family_access, name="family-access"),
    path(family + "consent/new/", privacy.consent_new, name="consent-new"),
    path(family + "sharing/new/", privacy.disclosure_new, name="disclosure-new"),
    path(family + "consent/<id:consent_id>/withdraw/", privacy.consent_withdraw, name="consent-withdraw"),
    path("consent/withdrawals/", privacy.withdrawals, name="consent-withdrawals"),
    path("privacy/register/", processing_register.register_list, name="register"),
    path("privacy/register/new/", processing_register.purpose_new, name="register-purpose-new"),
    path("privacy/register/publish/", processing_register.publish, name="register-publish"),
    path("privacy/register/consent-rules/", processing_register.consent_rules, name="register-consent-rules"),
    path("privacy/register/<id:purpose_id>/", processing_register.purpose_detail, name="register-purpose"),
    path("privacy/register/<id:purpose_id>/edit/", processing_register.purpose_edit, name="register-purpose-edit"),
    path("privacy/register/recipients/", processing_register.recipient_list, name="register-recipients"),
    path("privacy/register/recipients/new/", processing_register.recipient_new, name="register-recipient-new"),
    path("privacy/register/recipients/<id:recipient_id>/", processing_register.recipient_detail,
         name="register-recipient"),
    path("privacy/register/recipients/<id:recipient_id>/edit/", processing_register.recipient_edit,
         name="register-recipient-edit"),
    path("panels/", panels.panel_list, name="panels"),
    path("panels/new/", panels.panel_new, name="panel-new"),
    path("panels/<id:panel_id>/", panels.panel_detail, name="panel"),
    path("panels/<id:panel_id>/edit/", panels.panel_edit, name="panel-edit"),
    # The DPO's other registers: personal data breaches, DPIAs, data-sharing agreements (privacy.governance).
    path("privacy/register/breaches/", registers.breach_list, name="breaches"),
    path("privacy/register/breaches/new/", registers.breach_new, name="breach-new"),
    path("privacy/register/breaches/<id:breach_id>/", registers.breach_detail, name="breach"),
    path("privacy/register/breaches/<id:breach_id>/edit/", registers.breach_edit, name="breach-edit"),
    path("privacy/register/breaches/<id:breach_id>/ico/", registers.breach_report, name="breach-report"),
    path("privacy/register/breaches/<id:breach_id>/close/", registers.breach_close, name="breach-close"),
    path("privacy/register/dpias/", registers.dpia_list, name="dpias"),
    path("privacy/register/dpias/new/", registers.dpia_new, name="dpia-new"),
    path("privacy/register/dpias/<id:dpia_id>/", registers.dpia_detail, name="dpia"),
    path("privacy/register/dpias/<id:dpia_id>/edit/", registers.dpia_edit, name="dpia-edit"),
    path("privacy/register/agreements/", registers.agreement_list, name="agreements"),
    path("privacy/register/agreements/new/", registers.agreement_new, name="agreement-new"),
    path("privacy/register/agreements/<id:agreement_id>/", registers.agreement_detail, name="agreement"),
    path("privacy/register/agreements/<id:agreement_id>/edit/", registers.agreement_edit, name="agreement-edit"),
    path("privacy/register/physical-safeguards/", registers.hosting_reviews, name="hosting-reviews"),
    path("privacy/register/physical-safeguards/new/", registers.hosting_review_new, name="hosting-review-new"),
    path("privacy/subject-access/<id:request_id>/build/", subject_access.pack_build, name="sar-build"),
    path("privacy/subject-access/builds/<id:build_id>/", subject_access.build_progress, name="sar-build-progress"),
    path("privacy/subject-access/builds/<id:build_id>/cancel/", subject_access.build_cancel, name="sar-build-cancel"),
    path("privacy/subject-access/packs/<id:pack_id>/", subject_access.pack_detail, name="sar-pack"),
    path("privacy/subject-access/packs/<id:pack_id>/mentions/", subject_access.pack_mention, name="sar-pack-mention"),
    path("privacy/subject-access/packs/<id:pack_id>/release/", subject_access.pack_release, name="sar-pack-release"),
    path("privacy/subject-access/packs/<id:pack_id>/download.<str:fmt>", subject_access.pack_download,
         name="sar-pack-download"),
    path(family + "members/new/", casework.add_member, name="member-new"),
    path(family + "allocate/", casework.allocate, name="allocate"),
    path(family + "taf/new/", casework.add_taf_member, name="taf-new"),
    path(family + "referrals-out/new/", casework.referral_out_new, name="referral-out-new"),
    path(family + "panel-packs/new/", sharing.panel_pack_new, name="panel-pack-new"),
    path(family + "information/", sharing.family_information, name="family-information"),
    path(family + "suggestions/<id:suggestion_id>/decide/", privacy.suggestion_decide, name="suggestion-decide"),
    path(family + "taf/<id:member_id>/end/", casework.end_taf_member, name="taf-end"),
    path(family + "taf/<id:member_id>/sections/", casework.taf_sections, name="taf-sections"),
    path(family + "assessment/new/", casework.assessment_start, name="assessment-start"),
    path(family + "assessment/", casework.assessment_edit, name="assessment-edit"),
    path(family + "assessment/decide/", casework.assessment_decide, name="assessment-decide"),
    path(family + "plan/actions/new/", casework.action_new, name="action-new"),
    path(family + "plan/actions/<id:action_id>/", casework.action_update, name="action-update"),
    path(family + "reviews/<id:review_id>/", casework.review_record, name="review-record"),
    path(family + "notes/new/", casework.note_new, name="note-new"),
    path(family + "documents/new/", casework.document_new, name="document-new"),
    path(family + "documents/<id:document_id>/", casework.document_download, name="document"),
    path(family + "needs/", casework.family_needs, name="needs"),
    path(family + "needs/new/", casework.need_new, name="need-new"),
    path(family + "needs/<id:need_id>/withdraw/", casework.need_withdraw, name="need-withdraw"),
    path(family + "close/", casework.closure_request, name="closure-request"),
    path(family + "close/decide/", casework.closure_decide, name="closure-decide"),
    path(family + "step-up/", casework.step_up, name="step-up"),
]
