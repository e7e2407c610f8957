"""Who may open what: every URL the app serves, for every kind of visitor, with real objects.

A district's people see their district's work; another district's object is a 404 (we never confirm it
exists); a missing role is a 403 with a reason; a visitor who is not signed in is sent to sign in.
Adding a URL without a row here fails `test_every_url_has_a_row_in_the_matrix`.
"""

from dataclasses import dataclass, field
from functools import cached_property

import pytest
from django.contrib.admin.sites import site as admin_site
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audits import tasks
from audits.models import Audit
from people import services as people_services
from people.models import Invitation
from rubrics import services as rubric_services
from tests.audits.helpers import answered_audit

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "leader", "committee_member", "district_admin", "site_staff", "other_district")


@dataclass(frozen=True)
class Row:
    """Expected status per actor, in ACTORS order, for each method; kwargs builds the URL from the world."""

    kwargs: object = None
    expect: dict = field(default_factory=dict)


def statuses(anonymous, leader, committee_member, district_admin, site_staff, other_district):
    return dict(zip(ACTORS, (anonymous, leader, committee_member, district_admin, site_staff, other_district),
                    strict=True))


def product(w):
    return {"pk": w.product.pk}


def draft(w):
    return {"pk": w.draft.pk}


def scored(w):
    return {"pk": w.scored.pk}


def failed(w):
    return {"pk": w.failed.pk}


def committee(w):
    return {"pk": w.committee.pk}


def report(w):
    return {"pk": w.report.pk}


def decision(w):
    return {"pk": w.decision.pk}


def calibration(w):
    return {"pk": w.committee.pk, "round_pk": w.calibration.pk}


def person(w):
    return {"pk": w.leader.membership.pk}


def invitation(w):
    return {"pk": w.invitation.pk}


def tool_request(w):
    return {"pk": w.tool_request.pk}


def inventory_import(w):
    return {"pk": w.inventory_import.pk}


def variant(w):
    return {"pk": w.variant.pk}


def variant_rubric(w):
    return {"pk": w.variant.rubric_id}


def variant_criterion(w):
    return {"pk": w.variant.criteria.first().pk}


def variant_question(w):
    return {"pk": w.variant.criteria.first().questions.first().pk}


def vendor_page(w):
    return {"pk": w.product.pk, "page_pk": w.vendor_change.page_id}


def vendor_change(w):
    return {"pk": w.product.pk, "page_pk": w.vendor_change.page_id, "snapshot_pk": w.vendor_change.pk}


def reaudit(w):
    w.scored  # noqa: B018 - the leader's audit a re-audit starts from
    return {"pk": w.product.pk}


def every(status):
    return statuses(*[status] * 6)


SIGNED_IN_ONLY = statuses(302, 200, 200, 200, 200, 200)
SSO_SLUG = {"provider_id": "district-alder"}
# Sign-in (allauth, issue 13). Anonymous pages answer everyone; the provider URLs answer 404 unless the person's
# school address led to that district's provider on the sign-in page ("Use your school account").
SIGN_IN_ROWS = {
    "account_login": Row(expect={"GET": statuses(200, 302, 302, 302, 302, 302),
                                 "POST": statuses(200, 302, 302, 302, 302, 302)}),
    "account_logout": Row(expect={"GET": SIGNED_IN_ONLY, "POST": every(302)}),
    "account_inactive": Row(expect={"GET": every(200), "POST": every(405)}),
    # Closed: people join by invitation; the page says so.
    "account_signup": Row(expect={"GET": statuses(200, 302, 302, 302, 302, 302),
                                  "POST": statuses(200, 302, 302, 302, 302, 302)}),
    "account_reauthenticate": Row(expect={"GET": SIGNED_IN_ONLY, "POST": SIGNED_IN_ONLY}),
    # Sign-in and reauthentication by emailed code are off: sent on.
    "account_request_reauthentication_code": Row(expect={"GET": every(302), "POST": every(302)}),
    "account_confirm_reauthentication_code": Row(expect={"GET": every(302), "POST": every(302)}),
    "account_confirm_login_code": Row(expect={"GET": every(302), "POST": every(302)}),
    # A person's address is the district's to change; school accounts are linked by signing in with them.
    "account_email": Row(expect={"GET": every(404), "POST": every(404)}),
    "socialaccount_connections": Row(expect={"GET": every(404), "POST": every(404)}),
    "account_email_verification_sent": Row(expect={"GET": every(200), "POST": every(405)}),
    "account_confirm_email": Row(lambda w: {"key": "not-a-key"}, {"GET": every(200), "POST": every(404)}),
    "account_change_password": Row(expect={"GET": SIGNED_IN_ONLY, "POST": SIGNED_IN_ONLY}),  # 200: form again
    "account_set_password": Row(expect={"GET": every(302), "POST": every(302)}),  # everyone here has one
    "account_reset_password": Row(expect={"GET": every(200), "POST": every(200)}),  # 200: address explained
    "account_reset_password_done": Row(expect={"GET": every(200), "POST": every(405)}),
    "account_reset_password_from_key": Row(lambda w: {"uidb36": "1", "key": "not-a-key"},
                                           {"GET": every(200), "POST": every(200)}),  # "no longer works"
    "account_reset_password_from_key_done": Row(expect={"GET": every(200), "POST": every(405)}),
    # Two-step sign-in: the world's site staff has an authenticator app, the others have none yet.
    "mfa_index": Row(expect={"GET": SIGNED_IN_ONLY, "POST": statuses(302, 405, 405, 405, 405, 405)}),
    "mfa_authenticate": Row(expect={"GET": every(302), "POST": every(302)}),  # only during a sign-in
    "mfa_reauthenticate": Row(expect={"GET": statuses(302, 302, 302, 302, 200, 302),
                                      "POST": statuses(302, 302, 302, 302, 200, 302)}),
    "mfa_activate_totp": Row(expect={"GET": every(302), "POST": every(302)}),  # the password again first
    "mfa_deactivate_totp": Row(expect={"GET": statuses(302, 404, 404, 404, 302, 404),
                                       "POST": statuses(302, 404, 404, 404, 302, 404)}),
    "mfa_view_recovery_codes": Row(expect={"GET": statuses(302, 404, 404, 404, 404, 404),
                                           "POST": statuses(302, 405, 405, 405, 405, 405)}),
    "mfa_generate_recovery_codes": Row(expect={"GET": every(302), "POST": every(302)}),
    "mfa_download_recovery_codes": Row(expect={"GET": statuses(302, 404, 404, 404, 404, 404),
                                               "POST": statuses(302, 404, 404, 404, 404, 404)}),
    "socialaccount_login_cancelled": Row(expect={"GET": every(200), "POST": every(405)}),
    "socialaccount_login_error": Row(expect={"GET": every(401), "POST": every(405)}),
    "socialaccount_signup": Row(expect={"GET": every(302), "POST": every(302)}),
    "accounts/social/login/cancelled/": Row(expect={"GET": every(301)}),
    "accounts/social/login/error/": Row(expect={"GET": every(301)}),
    "accounts/social/signup/": Row(expect={"GET": every(301)}),
    "accounts/social/connections/": Row(expect={"GET": every(301)}),
    "google_login": Row(expect={"GET": every(404), "POST": every(404)}),
    "google_callback": Row(expect={"GET": every(404)}),
    "google_login_by_token": Row(expect={"POST": every(404)}),
    "microsoft_login": Row(expect={"GET": every(404), "POST": every(404)}),
    "microsoft_callback": Row(expect={"GET": every(404)}),
    "openid_connect_login": Row(lambda w: SSO_SLUG, {"GET": every(404), "POST": every(404)}),
    "openid_connect_callback": Row(lambda w: SSO_SLUG, {"GET": every(404)}),
    # "Use your school account": a POST from the sign-in page; 400: the address is missing, explained.
    "school_account": Row(expect={"GET": every(405), "POST": every(400)}),
    # A district's sign-in settings: its admins only (302 after saving an empty form: passwords only).
    "sign_in_settings": Row(expect={"GET": statuses(302, 403, 403, 200, 403, 403),
                                    "POST": statuses(302, 403, 403, 302, 403, 403)}),
    # The district's time zone: its admins only (400 after posting an empty form: a zone must be picked).
    "district_settings": Row(expect={"GET": statuses(302, 403, 403, 200, 403, 403),
                                     "POST": statuses(302, 403, 403, 400, 403, 403)}),
}
# Anonymous 302s that are not "sign in first": sent on to the sign-in page itself or to another allauth step.
NOT_A_SIGN_IN_REDIRECT = {"logout", "set_language", "admin:index", "account_logout",
                          "account_request_reauthentication_code", "account_confirm_reauthentication_code",
                          "account_confirm_login_code", "mfa_authenticate", "socialaccount_signup",
                          "account_set_password"}


# Columns: anonymous, leader (the auditor), committee member, district admin, site staff (no district),
# leader of another district. 302 for anonymous means "sent to sign in" (checked below).
MATRIX = {
    "login": Row(expect={"GET": statuses(200, 302, 302, 302, 302, 302)}),
    # Signing out is a POST (a link cannot sign someone out behind their back): GET asks to confirm.
    "logout": Row(expect={"GET": statuses(302, 200, 200, 200, 200, 200),
                          "POST": statuses(302, 302, 302, 302, 302, 302)}),
    **SIGN_IN_ROWS,
    "health": Row(expect={"GET": statuses(200, 200, 200, 200, 200, 200)}),
    "ping": Row(expect={"GET": statuses(200, 200, 200, 200, 200, 200)}),
    "set_language": Row(expect={"POST": statuses(302, 302, 302, 302, 302, 302)}),
    "admin:index": Row(expect={"GET": statuses(302, 302, 302, 302, 200, 302)}),
    # Site staff outside any district are sent to the districts page (their home) instead of a dead end.
    "dashboard": Row(expect={"GET": statuses(302, 200, 200, 200, 302, 200)}),
    "dashboard_products": Row(expect={"GET": statuses(302, 200, 200, 200, 403, 200)}),
    "product_list": Row(expect={"GET": statuses(302, 200, 200, 200, 403, 200)}),
    "product_create": Row(expect={"GET": statuses(302, 200, 200, 200, 403, 200),
                                  "POST": statuses(302, 200, 200, 200, 403, 200)}),  # 200: empty form explained
    "product_detail": Row(product, {"GET": statuses(302, 200, 200, 200, 403, 404)}),
    "product_edit": Row(product, {"GET": statuses(302, 200, 200, 200, 403, 404),
                                  "POST": statuses(302, 200, 200, 200, 403, 404)}),
    "audit_create": Row(lambda w: {"product_pk": w.product.pk},
                        {"GET": statuses(302, 405, 405, 405, 403, 405),
                         "POST": statuses(302, 302, 302, 302, 403, 404)}),
    "audit_start": Row(expect={"GET": statuses(302, 200, 200, 200, 403, 200)}),
    # A draft belongs to its auditor: others in the district are sent to the result, which a draft lacks.
    "audit_detail": Row(draft, {"GET": statuses(302, 302, 302, 302, 403, 404)}),
    "audit_section": Row(lambda w: {"pk": w.draft.pk, "number": 1},
                         {"GET": statuses(302, 200, 404, 404, 403, 404),
                          "POST": statuses(302, 302, 404, 404, 403, 404)}),
    "audit_review": Row(draft, {"GET": statuses(302, 200, 404, 404, 403, 404),
                                "POST": statuses(302, 200, 404, 404, 403, 404)}),  # 200: gaps explained
    "audit_result": Row(scored, {"GET": statuses(302, 200, 200, 200, 403, 404)}),
    # The result's one-page PDF: whoever may read the result (a blind member gets 403, in tests/audits).
    "audit_result_pdf": Row(scored, {"GET": statuses(302, 200, 200, 200, 403, 404)}),
    # Evidence for one answer of a submitted audit: its auditor only (200 on POST: an empty form explained).
    "audit_evidence": Row(lambda w: {"pk": w.scored.pk, "question_pk": w.scored.answers.first().question_id},
                          {"GET": statuses(302, 200, 404, 404, 403, 404),
                           "POST": statuses(302, 200, 404, 404, 403, 404)}),
    "audit_status": Row(scored, {"GET": statuses(302, 200, 200, 200, 403, 404)}),
    "audit_retry": Row(failed, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                "POST": statuses(302, 302, 302, 302, 403, 404)}),
    # Committees: the committee member serves on the world's committee; the leader and the district admin do not.
    # Reports open for the committee's members only (404 for everyone else); forming and changing a committee
    # is the district admin's (403 for other roles, 404 for another district's committee).
    "committee_list": Row(expect={"GET": statuses(302, 200, 200, 200, 403, 200)}),
    "committee_create": Row(expect={"GET": statuses(302, 403, 403, 200, 403, 403),
                                    "POST": statuses(302, 403, 403, 200, 403, 403)}),  # 200: empty form explained
    "committee_detail": Row(committee, {"GET": statuses(302, 404, 200, 200, 403, 404)}),
    "committee_edit": Row(committee, {"GET": statuses(302, 403, 403, 200, 403, 404),
                                      "POST": statuses(302, 403, 403, 200, 403, 404)}),
    "audit_request_create": Row(committee, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                            "POST": statuses(302, 403, 403, 400, 403, 404)}),
    "report_create": Row(committee, {"GET": statuses(302, 404, 200, 404, 403, 404),
                                     "POST": statuses(302, 404, 400, 404, 403, 404)}),  # 400: choose products
    "report_detail": Row(report, {"GET": statuses(302, 404, 200, 404, 403, 404)}),
    "report_status": Row(report, {"GET": statuses(302, 404, 200, 404, 403, 404)}),
    "report_csv": Row(report, {"GET": statuses(302, 404, 200, 404, 403, 404)}),
    "report_xlsx": Row(report, {"GET": statuses(302, 404, 200, 404, 403, 404)}),
    # 202: the member is in; inside the test's transaction the worker's PDF job waits for a commit.
    "report_pdf": Row(report, {"GET": statuses(302, 404, 202, 404, 403, 404)}),
    # One product of a report, with every answer: the same doors as the report itself.
    "report_product": Row(lambda w: {"pk": w.report.pk, "product_pk": w.product.pk},
                          {"GET": statuses(302, 404, 200, 404, 403, 404)}),
    "report_retry": Row(report, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                 "POST": statuses(302, 404, 302, 404, 403, 404)}),
    "report_rebuild": Row(report, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                   "POST": statuses(302, 404, 302, 404, 403, 404)}),
    "report_comment": Row(report, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                   "POST": statuses(302, 404, 400, 404, 403, 404)}),
    "report_consensus": Row(report, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                     "POST": statuses(302, 404, 400, 404, 403, 404)}),
    "report_decision": Row(report, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                    "POST": statuses(302, 404, 400, 404, 403, 404)}),
    # Share with the board (issue 16): members of the report's committee make and revoke links; the link itself
    # opens for anyone, signed in or not (the secret in it is the key).
    "report_share_create": Row(report, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                        "POST": statuses(302, 404, 400, 404, 403, 404)}),  # 400: choose how long
    "report_share_revoke": Row(lambda w: {"pk": w.report.pk, "share_pk": w.share.pk},
                               {"GET": statuses(302, 405, 405, 405, 403, 405),
                                "POST": statuses(302, 404, 302, 404, 403, 404)}),
    "shared_report": Row(lambda w: {"token": w.share_token}, {"GET": every(200)}),
    "shared_report_product": Row(lambda w: {"token": w.share_token, "product_pk": w.product.pk},
                                 {"GET": every(200)}),
    "consensus_withdraw": Row(report, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                       "POST": statuses(302, 404, 400, 404, 403, 404)}),  # 400: choose and say why
    # A decision (proposed by the committee member): the committee's members and the district admin read it;
    # only members vote (the admin, not on the committee, gets 403); the proposer, the chair or the admin may
    # revise or withdraw it (400: the reason is required).
    "decision_detail": Row(decision, {"GET": statuses(302, 404, 200, 200, 403, 404)}),
    "decision_vote": Row(decision, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                    "POST": statuses(302, 404, 400, 403, 403, 404)}),
    "decision_revise": Row(decision, {"GET": statuses(302, 404, 200, 200, 403, 404),
                                      "POST": statuses(302, 404, 400, 400, 403, 404)}),
    "decision_withdraw": Row(decision, {"GET": statuses(302, 404, 200, 200, 403, 404),
                                        "POST": statuses(302, 404, 400, 400, 403, 404)}),
    # Meetings are recorded by the chair (the world's committee has none) or the district admin.
    "meeting_create": Row(committee, {"GET": statuses(302, 404, 403, 200, 403, 404),
                                      "POST": statuses(302, 404, 403, 400, 403, 404)}),
    # Calibration rounds are started by the district admin and read by the committee (and the admin).
    "calibration_create": Row(committee, {"GET": statuses(302, 403, 403, 200, 403, 404),
                                          "POST": statuses(302, 403, 403, 400, 403, 404)}),
    "calibration_detail": Row(calibration, {"GET": statuses(302, 404, 200, 200, 403, 404)}),
    # Rubrics (issue 3): kept by district admins (their district's variants) and site staff (all). Leaders and
    # committee members get 403; the other district's leader gets 404 for Alder's variant.
    "rubric_list": Row(expect={"GET": statuses(302, 403, 403, 200, 200, 403)}),
    "rubric_import": Row(expect={"GET": statuses(302, 403, 403, 200, 200, 403),
                                 "POST": statuses(302, 403, 403, 400, 400, 403)}),  # 400: no file explained
    "rubric_adopt": Row(expect={"GET": statuses(302, 403, 403, 200, 403, 403),
                                "POST": statuses(302, 403, 403, 200, 403, 403)}),  # 200: name explained
    "rubric_detail": Row(variant_rubric, {"GET": statuses(302, 403, 403, 200, 200, 404)}),
    "rubric_start_draft": Row(variant_rubric, {"GET": statuses(302, 405, 405, 405, 405, 405),
                                               "POST": statuses(302, 403, 403, 302, 302, 404)}),
    "rubric_version": Row(variant, {"GET": statuses(302, 403, 403, 200, 200, 404),
                                    "POST": statuses(302, 403, 403, 302, 302, 404)}),  # saves the note
    "rubric_version_publish": Row(variant, {"GET": statuses(302, 403, 403, 200, 200, 404),  # asks first
                                            "POST": statuses(302, 403, 403, 302, 302, 404)}),
    "rubric_version_discard": Row(variant, {"GET": statuses(302, 403, 403, 200, 200, 404),
                                            "POST": statuses(302, 403, 403, 302, 302, 404)}),
    "rubric_version_preview": Row(variant, {"GET": statuses(302, 403, 403, 200, 200, 404)}),
    "rubric_version_diff": Row(variant, {"GET": statuses(302, 403, 403, 200, 200, 404)}),
    "rubric_version_export": Row(variant, {"GET": statuses(302, 403, 403, 200, 200, 404)}),
    "criterion_create": Row(lambda w: {"version_pk": w.variant.pk},
                            {"GET": statuses(302, 403, 403, 200, 200, 404),
                             "POST": statuses(302, 403, 403, 200, 200, 404)}),  # 200: title explained
    "criterion_edit": Row(variant_criterion, {"GET": statuses(302, 403, 403, 200, 200, 404),
                                              "POST": statuses(302, 403, 403, 200, 200, 404)}),
    "criterion_delete": Row(variant_criterion, {"GET": statuses(302, 403, 403, 200, 200, 404),
                                                "POST": statuses(302, 403, 403, 302, 302, 404)}),
    "criterion_move": Row(variant_criterion, {"GET": statuses(302, 405, 405, 405, 405, 405),
                                              "POST": statuses(302, 403, 403, 302, 302, 404)}),
    "question_create": Row(lambda w: {"criterion_pk": w.variant.criteria.first().pk},
                           {"GET": statuses(302, 403, 403, 200, 200, 404),
                            "POST": statuses(302, 403, 403, 400, 400, 404)}),  # 400: prompt, levels explained
    "question_edit": Row(variant_question, {"GET": statuses(302, 403, 403, 200, 200, 404),
                                            "POST": statuses(302, 403, 403, 400, 400, 404)}),
    "question_delete": Row(variant_question, {"GET": statuses(302, 403, 403, 200, 200, 404),
                                              "POST": statuses(302, 403, 403, 302, 302, 404)}),
    "question_move": Row(variant_question, {"GET": statuses(302, 405, 405, 405, 405, 405),
                                            "POST": statuses(302, 403, 403, 302, 302, 404)}),
    # Moving a draft audit to the newest rubric: the auditor only (here there is no newer version: sent back).
    "audit_version_move": Row(draft, {"GET": statuses(302, 302, 404, 404, 403, 404),
                                      "POST": statuses(302, 302, 404, 404, 403, 404)}),
    # Copy and tone review (issue 4): everyone in the product's district reads it; another district gets 404.
    "product_tone": Row(product, {"GET": statuses(302, 200, 200, 200, 403, 404)}),
    "product_tone_status": Row(product, {"GET": statuses(302, 200, 200, 200, 403, 404)}),
    "product_tone_retry": Row(product, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                        "POST": statuses(302, 302, 302, 302, 403, 404)}),
    # Setting a phrase aside as not deficit framing here (issue 18): leaders and district admins; an empty reason
    # is sent back with its message (302). Counting it again likewise.
    "product_tone_set_aside": Row(product, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                            "POST": statuses(302, 302, 403, 302, 403, 404)}),
    "product_tone_restore": Row(lambda w: {"pk": w.product.pk, "set_aside_pk": w.set_aside.pk},
                                {"GET": statuses(302, 405, 405, 405, 403, 405),
                                 "POST": statuses(302, 302, 403, 302, 403, 404)}),
    # Long pasted copy read by the worker: only the person who pasted it (the leader) opens its pages; anyone else,
    # in the district or not, gets a 404.
    "tone_pasted": Row(lambda w: {"pk": w.pasted.pk}, {"GET": statuses(302, 200, 404, 404, 403, 404)}),
    "tone_pasted_status": Row(lambda w: {"pk": w.pasted.pk}, {"GET": statuses(302, 200, 404, 404, 403, 404)}),
    "tone_pasted_retry": Row(lambda w: {"pk": w.pasted.pk}, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                                             "POST": statuses(302, 302, 404, 404, 403, 404)}),
    # Lifecycle (issue 15): archiving is for leaders and district admins; a draft is deleted (and brought back)
    # by its auditor only.
    "product_archive": Row(product, {"GET": statuses(302, 200, 403, 200, 403, 404),
                                     "POST": statuses(302, 302, 403, 302, 403, 404)}),
    "product_restore": Row(product, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                     "POST": statuses(302, 302, 403, 302, 403, 404)}),
    "audit_delete": Row(draft, {"GET": statuses(302, 200, 404, 404, 403, 404),
                                "POST": statuses(302, 302, 404, 404, 403, 404)}),
    "audit_undo_delete": Row(draft, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                     "POST": statuses(302, 302, 404, 404, 403, 404)}),
    # Importing an inventory: district admins only; another district's import is a 404.
    "inventory_import": Row(expect={"GET": statuses(302, 403, 403, 200, 403, 403),
                                    "POST": statuses(302, 403, 403, 400, 403, 403)}),  # 400: no file explained
    "inventory_template": Row(expect={"GET": statuses(302, 403, 403, 200, 403, 403)}),
    "inventory_import_detail": Row(inventory_import, {"GET": statuses(302, 403, 403, 200, 403, 404)}),
    "inventory_import_apply": Row(inventory_import, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                                     "POST": statuses(302, 403, 403, 302, 403, 404)}),
    "inventory_import_undo": Row(inventory_import, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                                    "POST": statuses(302, 403, 403, 302, 403, 404)}),
    # The families' page: its settings are the district admin's; a product's summary for families anyone in the
    # district writes. The page itself is public (published district, adopted product shown to families): 200 for
    # everyone; an unpublished district or product is a 404 for everyone (test_unpublished_... below).
    "tools_page_settings": Row(expect={"GET": statuses(302, 403, 403, 200, 403, 403),
                                       "POST": statuses(302, 403, 403, 302, 403, 403)}),
    "product_families": Row(product, {"GET": statuses(302, 200, 200, 200, 403, 404),
                                      "POST": statuses(302, 302, 302, 302, 403, 404)}),
    "public_tools": Row(lambda w: {"slug": w.published_tools.slug}, {"GET": statuses(200, 200, 200, 200, 200, 200)}),
    "public_tool": Row(lambda w: {"slug": w.published_tools.slug, "pk": w.product.pk},
                       {"GET": statuses(200, 200, 200, 200, 200, 200)}),
    # Third-party validations: anyone in the district records and removes them; another district's is a 404.
    "product_validations": Row(product, {"GET": statuses(302, 200, 200, 200, 403, 404),
                                         "POST": statuses(302, 400, 400, 400, 403, 404)}),  # 400: kind, date
    "validation_delete": Row(lambda w: {"pk": w.validation.pk}, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                                                  "POST": statuses(302, 302, 302, 302, 403, 404)}),
    "validations_expiring": Row(expect={"GET": statuses(302, 200, 200, 200, 403, 200)}),
    # Requests from staff: anyone in the district asks; leaders and district admins answer. A request is seen by
    # its requester (here the committee member), its auditor and leaders; another district's is a 404.
    "request_list": Row(expect={"GET": statuses(302, 200, 200, 200, 403, 200)}),
    "request_create": Row(expect={"GET": statuses(302, 200, 200, 200, 403, 200),
                                  "POST": statuses(302, 400, 400, 400, 403, 400)}),  # 400: name and why explained
    "request_detail": Row(tool_request, {"GET": statuses(302, 200, 200, 200, 403, 404)}),
    "request_accept": Row(tool_request, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                         "POST": statuses(302, 400, 403, 400, 403, 404)}),  # 400: auditor
    "request_close": Row(tool_request, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                        "POST": statuses(302, 400, 403, 400, 403, 404)}),  # 400: message
    "tone_preview": Row(expect={"GET": statuses(302, 200, 200, 200, 403, 200),
                                "POST": statuses(302, 200, 200, 200, 403, 200)}),  # 200: empty paste explained
    # People (issue 13): district admins only (403 with the reason for other roles); another district's people and
    # invitations are 404. Role and deactivate act on the world's leader; the invitation is Alder's.
    "people_list": Row(expect={"GET": statuses(302, 403, 403, 200, 403, 403)}),
    # Site staff: every district at a glance, and a district's people read-only (logged); nobody else.
    "district_overview": Row(expect={"GET": statuses(302, 403, 403, 403, 200, 403)}),
    "district_people": Row(lambda w: {"pk": w.product.district_id}, {"GET": statuses(302, 404, 404, 404, 200, 404)}),
    "people_invite": Row(expect={"GET": statuses(302, 403, 403, 200, 403, 403),
                                 "POST": statuses(302, 403, 403, 200, 403, 403)}),  # 200: addresses explained
    "person_detail": Row(person, {"GET": statuses(302, 403, 403, 200, 403, 404)}),
    "person_role": Row(person, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                "POST": statuses(302, 403, 403, 400, 403, 404)}),  # 400: choose a role
    "person_deactivate": Row(person, {"GET": statuses(302, 403, 403, 200, 403, 404),  # asks to confirm
                                      "POST": statuses(302, 403, 403, 302, 403, 404)}),
    "person_reactivate": Row(person, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                      "POST": statuses(302, 403, 403, 302, 403, 404)}),
    "invitation_resend": Row(invitation, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                          "POST": statuses(302, 403, 403, 302, 403, 404)}),
    "invitation_revoke": Row(invitation, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                          "POST": statuses(302, 403, 403, 302, 403, 404)}),
    "invitation_restore": Row(invitation, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                           "POST": statuses(302, 403, 403, 302, 403, 404)}),
    # Anyone may hold an invitation link; one that names no invitation is a 404 page saying whom to ask.
    "join": Row(lambda w: {"token": "no-such-invitation"}, {"GET": statuses(404, 404, 404, 404, 404, 404),
                                                            "POST": statuses(404, 404, 404, 404, 404, 404)}),
    # Vendor pages (issue 15): everyone in the product's district; another district's product or page is a 404.
    "vendor_page_add": Row(product, {"GET": statuses(302, 200, 200, 200, 403, 404),
                                     "POST": statuses(302, 400, 400, 400, 403, 404)}),  # 400: address explained
    "vendor_page_detail": Row(vendor_page, {"GET": statuses(302, 200, 200, 200, 403, 404)}),
    "vendor_page_status": Row(vendor_page, {"GET": statuses(302, 200, 200, 200, 403, 404)}),
    "vendor_page_check": Row(vendor_page, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                           "POST": statuses(302, 302, 302, 302, 403, 404)}),
    "vendor_page_remove": Row(vendor_page, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                            "POST": statuses(302, 302, 302, 302, 403, 404)}),
    "vendor_page_change": Row(vendor_change, {"GET": statuses(302, 200, 200, 200, 403, 404)}),
    # The leader starts from their scored audit; the others have none and are told so on the product page.
    "vendor_reaudit": Row(reaudit, {"GET": statuses(302, 405, 405, 405, 403, 405),
                                    "POST": statuses(302, 302, 302, 302, 403, 404)}),
    # Notifications (issue 13): each person's own. The world's one belongs to the committee member; anyone
    # else's is a 404. Settings POSTed empty: 400, each choice explained.
    "notification_list": Row(expect={"GET": statuses(302, 200, 200, 200, 403, 200)}),
    "notification_open": Row(lambda w: {"pk": w.notification.pk}, {"GET": statuses(302, 404, 302, 404, 403, 404)}),
    "notification_settings": Row(expect={"GET": statuses(302, 200, 200, 200, 403, 200),
                                         "POST": statuses(302, 400, 400, 400, 403, 400)}),
    # The signed link in an email is the key, whoever is signed in (or nobody): see SIGNED_LINKS.
    "notification_unsubscribe": Row(lambda w: {"token": w.unsubscribe_token},
                                    {"GET": statuses(200, 200, 200, 200, 200, 200),
                                     "POST": statuses(200, 200, 200, 200, 200, 200)}),
}
# URLs whose signed token, not the session, says whose they are (an email's one-click unsubscribe link).
SIGNED_LINKS = {"notification_unsubscribe"}


def served_urls(patterns=None, prefix="", namespace=""):
    """(key, route) for every URL pattern; the key is the URL name, or the route when it has none."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from served_urls(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            yield (namespace + pattern.name if pattern.name else route), route


def is_admin_internal(key, route):
    # Django admin guards its own pages (is_staff); we check its front door only.
    return route.startswith("admin/") and key != "admin:index"


def test_every_url_has_a_row_in_the_matrix():
    served = {key: route for key, route in served_urls() if not is_admin_internal(key, route)}
    missing = sorted(set(served) - set(MATRIX))
    assert not missing, (
        "These URLs have no row in MATRIX in tests/test_permission_matrix.py; add one saying what each kind of "
        "visitor gets: " + ", ".join(f"{key} ({served[key]})" for key in missing)
    )
    stale = sorted(set(MATRIX) - set(served))
    assert not stale, f"MATRIX has rows for URLs the app no longer serves: {stale}"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class World:
    """Alder's objects, each made the first time a row's URL asks for it: most rows need one or two, and
    building all of them (a scored comparison report, a copied rubric) for each of ~500 cases was slow."""

    def __init__(self, product, version, leader, committee_member):
        self.product, self.version, self.leader, self.committee_member = product, version, leader, committee_member

    @cached_property
    def draft(self):
        return Audit.objects.create(district=self.product.district, product=self.product,
                                    rubric_version=self.version, auditor=self.leader)

    @cached_property
    def scored(self):
        return scored_audit(self.product, self.version, self.leader, level=3)

    @cached_property
    def failed(self):
        audit = answered_audit(self.product, self.version, self.leader, level=2)
        Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.SCORING_FAILED)
        return audit

    @cached_property
    def committee(self):
        """A committee with the committee member on it (the leader and the district admin are not)."""
        from committees.models import Committee, CommitteeMember

        committee = Committee.objects.create(district=self.product.district, name="Reading committee")
        CommitteeMember.objects.create(committee=committee, user=self.committee_member)
        return committee

    @cached_property
    def report(self):
        """A ready report comparing two scored products."""
        from committees import selectors as committee_selectors
        from committees import services as committee_services
        from committees import tasks as committee_tasks
        from products.models import Product

        second = Product.objects.create(district=self.product.district, name="Second product")
        scored_audit(second, self.version, self.leader, level=1)
        self.scored  # noqa: B018 - the first product needs a scored audit too
        chosen = [self.product, second]
        audits = list(committee_selectors.comparable_audits(self.product.district, chosen))
        report = committee_services.request_comparison(self.committee, self.leader, chosen, audits)
        committee_tasks.build(report.pk)
        return report

    @cached_property
    def share_token(self):
        """The secret of a working read-only link to the report."""
        from committees import services as committee_services

        return committee_services.share_report(self.report, self.committee_member, "Board", 30)

    @cached_property
    def share(self):
        from committees.models import ReportShare, hash_share_token

        return ReportShare.objects.get(token_hash=hash_share_token(self.share_token))

    @cached_property
    def decision(self):
        """A proposal on the report's first product, by the committee member."""
        from committees.models import Decision

        return Decision.objects.create(committee=self.committee, product=self.product, report=self.report,
                                       outcome="adopt", rationale="Families read together",
                                       proposed_by=self.committee_member)

    @cached_property
    def calibration(self):
        from committees.models import CalibrationRound

        return CalibrationRound.objects.create(committee=self.committee, product=self.product)

    @cached_property
    def invitation(self):
        """An open invitation to Alder."""
        [result] = people_services.invite(self.product.district, None, ["invitee@alder.example"], "leader")
        return Invitation.objects.get(pk=result.invitation_id)

    @cached_property
    def vendor_change(self):
        """A vendor page read twice, the second read a change of copy."""
        from django.utils import timezone

        from vendorpages.models import Snapshot, VendorPage

        page = VendorPage.objects.create(district=self.product.district, product=self.product,
                                         url="https://readalong.example/families")
        before = Snapshot.objects.create(page=page, district=page.district, status="fetched", text="Read together.",
                                         fetched_at=timezone.now())
        return Snapshot.objects.create(page=page, district=page.district, status="fetched", changed=True,
                                       previous=before, text="Read together, at home.", fetched_at=timezone.now())

    @cached_property
    def notification(self):
        """The committee member's notification that they are asked to audit the product."""
        from committees import services as committee_services
        from notifications.models import Notification

        committee_services.request_audits(self.committee, self.product, [self.committee_member], self.leader)
        return Notification.objects.get(recipient=self.committee_member)

    @cached_property
    def unsubscribe_token(self):
        from notifications import tokens

        return tokens.make(self.committee_member.pk, "reports")

    @cached_property
    def published_tools(self):
        """Alder publishes its families' page, and the product is adopted and shown to families."""
        from committees.models import Decision
        from products.models import Product, ToolsPage

        ToolsPage.objects.create(district=self.product.district, published=True)
        Product.objects.filter(pk=self.product.pk).update(show_to_families=True, family_summary="Stories at home.")
        Decision.objects.create(committee=self.committee, product=self.product, outcome="adopt",
                                decided_on="2026-09-14", rationale="Internal", status="carried")
        return self.product.district

    @cached_property
    def set_aside(self):
        from products.models import PhraseSetAside

        return PhraseSetAside.objects.create(district=self.product.district, product=self.product,
                                             key="deficit-label:at-risk students", reason="A quoted label",
                                             set_aside_by=self.leader)

    @cached_property
    def pasted(self):
        from products.models import PastedCopy

        return PastedCopy.objects.create(district=self.product.district, pasted_by=self.leader,
                                         text="Only 3 spots left.", key="tone-reading:test:pasted")

    @cached_property
    def validation(self):
        from products.models import Validation

        return Validation.objects.create(district=self.product.district, product=self.product,
                                         kind="privacy_agreement", issued_on="2026-01-15", expires_on="2026-12-31")

    @cached_property
    def tool_request(self):
        """The committee member asked for a tool."""
        from products.models import ToolRequest

        return ToolRequest.objects.create(district=self.product.district, requested_by=self.committee_member,
                                          name="StoryWeaver", why="Books in home languages")

    @cached_property
    def inventory_import(self):
        """A previewed (not yet imported) inventory file of Alder's."""
        from products.models import InventoryImport

        return InventoryImport.objects.create(district=self.product.district, file_name="inventory.csv",
                                              table=[["name"], ["Imported tool"]])

    @cached_property
    def variant(self):
        """Alder's own draft variant of the shared rubric."""
        return rubric_services.adopt(self.version.rubric, self.product.district, "Alder rubric")


def scored_audit(product, version, auditor, level):
    audit = answered_audit(product, version, auditor, level=level)
    Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.SUBMITTED)
    tasks.score_submitted_audit(audit.pk)
    return audit


@pytest.fixture
def world(product, version, leader, committee_member, district_admin, site_staff, leader_b):
    return World(product, version, leader, committee_member)


@pytest.fixture
def sign_in_as(client, leader, committee_member, district_admin, site_staff, leader_b):
    users = {"leader": leader, "committee_member": committee_member, "district_admin": district_admin,
             "site_staff": site_staff, "other_district": leader_b}

    def sign_in(actor):
        if actor != "anonymous":
            client.force_login(users[actor])
        return client

    return sign_in


CASES = [
    pytest.param(key, method, actor, id=f"{key}-{method}-{actor}")
    for key, row in MATRIX.items() for method in row.expect for actor in ACTORS
]


@pytest.mark.parametrize(("key", "method", "actor"), CASES)
def test_each_visitor_gets_the_expected_answer(key, method, actor, world, sign_in_as):
    row = MATRIX[key]
    # allauth's old addresses have no name: the row's key is the route itself.
    url = "/" + key if "/" in key else reverse(key, kwargs=row.kwargs(world) if row.kwargs else None)
    client = sign_in_as(actor)
    response = client.get(url) if method == "GET" else client.post(url, {})
    expected = row.expect[method][actor]
    assert response.status_code == expected, f"{actor} {method} {url}: got {response.status_code}, want {expected}"
    if expected == 302 and actor == "anonymous" and key not in NOT_A_SIGN_IN_REDIRECT:
        assert response["Location"].startswith(reverse("login") + "?next="), "anonymous must be sent to sign in"
    if expected == 403:
        # The page says why (no district yet, staff outside districts, or the role does not include this) rather
        # than a bare code.
        page = response.content.decode()
        assert ("not part of a district yet" in page or "This is not part of your role" in page
                or "This page belongs to a district" in page), page


def test_other_district_sees_a_404_never_a_403_for_existing_objects(world, sign_in_as):
    """Sanity check on the matrix itself: no object of district A is confirmed to district B's people."""
    for key, row in MATRIX.items():
        if row.kwargs is None or key in SIGNED_LINKS or key in SIGN_IN_ROWS:  # tokens and slugs, not rows
            continue
        for method, expect in row.expect.items():
            if expect["anonymous"] == 200:
                continue  # a public page (the families' page): the same for everyone, published or a 404
            assert expect["other_district"] in {404, 405}, f"{key} {method} must not reveal another district's rows"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("what", ["district", "product"])
def test_unpublished_families_page_or_product_is_a_404_for_everyone(world, sign_in_as, actor, what):
    from products.models import Product, ToolsPage

    district = world.published_tools
    if what == "district":
        ToolsPage.objects.filter(district=district).update(published=False)
    else:
        Product.objects.filter(pk=world.product.pk).update(show_to_families=False)
    client = sign_in_as(actor)
    tool = client.get(reverse("public_tool", kwargs={"slug": district.slug, "pk": world.product.pk}))
    assert tool.status_code == 404
    listing = client.get(reverse("public_tools", kwargs={"slug": district.slug}))
    assert listing.status_code == (404 if what == "district" else 200)
    assert "Stories at home." not in listing.content.decode()


def test_admin_site_is_only_for_site_staff(world, sign_in_as):
    assert admin_site.has_permission is not None  # the default check: active staff only
    response = sign_in_as("district_admin").get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
