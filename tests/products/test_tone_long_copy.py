"""Issue 18: pasted web pages read as text, long copy grouped and paged into a small page, long pastes read off the
request path, and a leader's word that a phrase is not deficit framing here."""

import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetlens.cache import peek
from products import review as tone_review
from products import services as product_services
from products import tasks as tone_tasks
from products import tone
from products.models import PastedCopy, PhraseSetAside, Product

pytestmark = pytest.mark.django_db

SAVED_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Only 3 spots left | MathSprint</title>
<style>.hero { content: "fall behind"; }</style>
<script>var banner = "Don't let your child fall behind";</script></head>
<body><nav><a href="/">Home</a></nav>
<h1>Only 3 spots left</h1>
<p>Don&rsquo;t let your <b>child</b> struggle &amp; worry.</p>
<noscript>Please enable JavaScript</noscript>
</body></html>"""


def card_counts(html):
    return [int(n) for n in re.findall(r'<span class="badge[^"]*">(\d+) times?</span>', html)]


# --- Pasted pages -------------------------------------------------------------------------------------------

def test_a_saved_web_page_is_read_as_its_visible_text():
    clean, _map = tone.strip_markup(SAVED_PAGE)
    assert "Don’t let your child struggle & worry." in clean
    assert "<" not in clean and "&rsquo;" not in clean and "var banner" not in clean and "content:" not in clean
    assert "enable JavaScript" not in clean
    # The title repeats the heading, so the phrase is read once, from the heading.
    assert clean.count("Only 3 spots left") == 1


def test_offsets_of_a_saved_page_still_point_into_the_original_and_back_into_the_clean_text():
    result = tone.analyse(SAVED_PAGE)
    clean, omap = tone.strip_markup(SAVED_PAGE)
    assert [f.category for f in result.findings][:2] == ["scarcity", "family-shame"]
    scarcity, shame = result.findings[:2]
    assert SAVED_PAGE[scarcity.start:scarcity.end] == "Only 3 spots left"
    assert scarcity.start == SAVED_PAGE.index("<h1>") + 4
    assert SAVED_PAGE[shame.start:shame.end] == "Don&rsquo;t let your <b>child"
    start, end = omap.to_clean(shame.start, shame.end)
    assert clean[start:end] == "Don’t let your child"


def test_pasted_html_shows_decoded_phrases_and_counts_title_and_heading_once(leader_client):
    page = leader_client.post(reverse("tone_preview"), {"text": SAVED_PAGE}).content.decode()
    assert "&amp;rsquo;" in page[:page.index("tone-summary-heading")]  # what was pasted stays in the box
    html = page[page.index("tone-summary-heading"):]  # the reading
    assert "&amp;rsquo;" not in html and "&lt;b&gt;" not in html and "var banner" not in html
    assert "“Don’t let your child”" in html
    # One scarcity phrase (title and heading are one), one family-shame phrase.
    assert re.search(r"<li>Scarcity: 1</li>", html) and re.search(r"<li>Shaming the family: 1</li>", html)


# --- Long copy: grouped, summarised, paged, small ------------------------------------------------------------

REPEATED = "Our at-risk students meet on Tuesdays. We celebrate their progress.\n\n"


def test_a_phrase_found_many_times_is_one_card_with_its_count_and_places(leader_client):
    html = leader_client.post(reverse("tone_preview"), {"text": REPEATED * 30}).content.decode()
    assert html.count('class="border rounded p-3 mb-2 tone-card"') == 1
    assert card_counts(html) == [30]
    # The first 12 places are linked (marks 1, 3, 5, … : strengths take the even numbers), the rest counted.
    assert 'href="#mark-1"' in html and 'href="#mark-23"' in html and "and 18 more" in html
    assert "Why it matters:" in html and html.count("Why it matters:") == 1


def test_the_summary_counts_by_category_and_names_the_most_frequent_phrases(leader_client):
    text = REPEATED * 4 + "Only 3 spots left!\n\n"
    html = leader_client.post(reverse("tone_preview"), {"text": text}).content.decode()
    assert html.index("At a glance") < html.index("What the copy does well") < html.index("Opportunities")
    assert "Deficit labels for learners: 4" in html and "Scarcity: 1" in html
    assert re.search(r"Most frequent:</span> “at-risk students” \(×4\), “Only 3 spots left” \(×1\)", html)


def many_phrases(n):
    """n paragraphs, each with two phrases to reconsider ("don't let your child", "fall behind")."""
    return "".join(f"Group {i}: don't let your child fall behind in unit {i}.\n\n" for i in range(n))


def test_cards_are_paged_and_the_copy_is_shown_one_part_at_a_time(leader_client, product):
    copy = ("We celebrate progress. Only 3 spots left!\n\n" * 1000)  # 43,000 characters: two parts
    Product.objects.filter(pk=product.pk).update(marketing_copy=copy)
    url = reverse("product_tone", args=[product.pk])
    first = leader_client.get(url).content.decode()
    # 2,000 marks in all. Parts end at a paragraph: 697 paragraphs of 43 characters (29,971) fit in the first
    # 30,000, so it shows 697 × 2 = 1,394 marks.
    assert "part 1 of 2" in first and first.count("<mark ") == 1394
    second = leader_client.get(url + "?part=2").content.decode()
    assert "part 2 of 2" in second and 'id="mark-2000"' in second and 'id="mark-2"' not in second
    # Marks keep their numbers across parts; a place in another part links to that part.
    assert 'href="?part=2#mark-' not in second


def test_a_200_kb_paste_gives_a_page_under_1_mb(leader_client):
    text = ("Struggling readers lose ground every week. Don't let your child fall behind! "
            "We celebrate their progress.\n\n") * 1860
    assert 195_000 <= len(text.encode()) <= 200_000  # the longest paste the page takes
    response = leader_client.post(reverse("tone_preview"), {"text": text}, follow=True)
    assert response.redirect_chain and response.status_code == 200
    assert len(response.content) < 1_000_000, len(response.content)
    html = response.content.decode()
    assert "At a glance" in html and "Urgency and fear" in html


# --- Long pastes read by the worker, off the request path ----------------------------------------------------

def test_long_pastes_return_at_once_and_the_worker_reads_them(leader_client, leader, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    monkeypatch.setattr(product_services, "_is_eager", lambda: False)  # as with a real worker
    asked = []
    monkeypatch.setattr(tone_tasks.analyse_pasted_copy, "delay", asked.append)  # the broker takes the message
    calls = []
    real_analyse = tone.analyse
    monkeypatch.setattr(tone, "analyse", lambda *a, **k: calls.append(1) or real_analyse(*a, **k))
    text = "Only 3 spots left! We celebrate progress.\n\n" * 4600  # about 200 KB, the longest paste taken
    with django_capture_on_commit_callbacks(execute=True):
        responses = [leader_client.post(reverse("tone_preview"), {"text": text + str(i)}) for i in range(3)]
    assert [r.status_code for r in responses] == [302, 302, 302]
    assert calls == []  # nothing was read while the web worker answered
    pastes = list(PastedCopy.objects.filter(pasted_by=leader).order_by("id"))
    assert asked == [p.pk for p in pastes] and {p.status for p in pastes} == {"queued"}
    page = leader_client.get(responses[0]["Location"]).content.decode()
    assert 'role="progressbar"' in page and peek(pastes[0].key) is None

    assert tone_tasks.analyse_pasted_copy.apply((pastes[0].pk,)).get() == "read"
    status = leader_client.get(reverse("tone_pasted_status", args=[pastes[0].pk])).json()
    assert status["ready"] and status["state"] == "ready"
    assert "Only 3 spots left" in leader_client.get(responses[0]["Location"]).content.decode()


def test_pasted_copy_older_than_a_day_is_deleted_by_the_sweep(leader):
    from datetime import timedelta

    from django.utils import timezone

    old = PastedCopy.objects.create(district=leader.membership.district, pasted_by=leader, text="x", key="k",
                                    status="ready")
    PastedCopy.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    fresh = PastedCopy.objects.create(district=leader.membership.district, pasted_by=leader, text="y", key="k2",
                                      status="ready")
    assert tone_tasks.sweep_pastes.apply().get()["deleted"] == 1
    assert list(PastedCopy.objects.values_list("pk", flat=True)) == [fresh.pk]


# --- The leader decides -------------------------------------------------------------------------------------

DEFICIT_COPY = "We celebrate progress. Don't let your child fall behind! Only 3 spots left."


def test_a_leader_sets_a_phrase_aside_and_the_signal_is_recomputed_without_it(leader_client, client,
                                                                              committee_member, product):
    Product.objects.filter(pk=product.pk).update(marketing_copy=DEFICIT_COPY)
    url = reverse("product_tone", args=[product.pk])
    # 1 strength, 3 phrases to reconsider: 4 × 1 / 4 = 1.0.
    assert "1.0 of 4" in leader_client.get(url).content.decode()
    response = leader_client.post(reverse("product_tone_set_aside", args=[product.pk]),
                                  {"key": "urgency:fall behind", "reason": "It says there is no deadline."})
    assert response.status_code == 302
    html = leader_client.get(url).content.decode()
    # 1 strength, 2 phrases: 4 × 1 / 3 = 1.3; the phrase is folded away with its reason.
    assert "1.3 of 4" in html and "1 set aside by a leader" in html
    folded = html[html.index('id="tone-set-aside"'):]
    assert "“fall behind”" in folded and "It says there is no deadline." in folded and "Count it again" in folded
    assert 'href="#card-' in html and "tone-card" in html
    # The committee sees the set-aside phrase and why, but cannot undo it.
    client.force_login(committee_member)
    seen = client.get(url).content.decode()
    assert "It says there is no deadline." in seen and "Count it again" not in seen
    assert "Not deficit framing here?" not in seen


def test_an_empty_reason_sets_nothing_aside_and_says_why(leader_client, product):
    Product.objects.filter(pk=product.pk).update(marketing_copy=DEFICIT_COPY)
    response = leader_client.post(reverse("product_tone_set_aside", args=[product.pk]),
                                  {"key": "urgency:fall behind", "reason": "   "}, follow=True)
    assert "write a short reason" in response.content.decode()
    assert not PhraseSetAside.objects.exists()
    leader_client.post(reverse("product_tone_set_aside", args=[product.pk]),
                       {"key": "strength:celebrate progress", "reason": "no"})
    assert not PhraseSetAside.objects.exists()  # strengths are never set aside


def test_counting_a_phrase_again_restores_the_signal(leader_client, product, leader):
    Product.objects.filter(pk=product.pk).update(marketing_copy=DEFICIT_COPY)
    set_aside = product_services.set_aside_phrase(product, leader, "urgency:fall behind", "No deadline here.")
    url = reverse("product_tone", args=[product.pk])
    assert "1.3 of 4" in leader_client.get(url).content.decode()
    leader_client.post(reverse("product_tone_restore", args=[product.pk, set_aside.pk]))
    assert "1.0 of 4" in leader_client.get(url).content.decode()


def test_the_reading_is_computed_once_per_copy_not_on_every_view(leader_client, product, monkeypatch,
                                                                 django_assert_num_queries):
    Product.objects.filter(pk=product.pk).update(marketing_copy=DEFICIT_COPY + " (once)")
    calls = []
    real_analyse, real_shape = tone.analyse, tone_review.shape
    monkeypatch.setattr(tone, "analyse", lambda *a, **k: calls.append("read") or real_analyse(*a, **k))
    monkeypatch.setattr(tone_review, "shape", lambda *a, **k: calls.append("shape") or real_shape(*a, **k))
    url = reverse("product_tone", args=[product.pk])
    for _ in range(3):
        assert leader_client.get(url).status_code == 200
    leader_client.get(url + "?page=2&part=1")
    assert calls == ["read", "shape"]


# --- Spanish, all the way (the interface; the rules' own texts are the rule file's) ---------------------------

def test_in_spanish_every_label_heading_and_button_of_the_review_is_spanish(leader_client, leader, product):
    from django.conf import settings as django_settings
    from django.core.management import call_command
    from django.utils.translation import trans_real

    call_command("compilemessages", locale=["es"], ignore=[".venv", "node_modules"], verbosity=0)
    trans_real._translations, trans_real._default = {}, None
    Product.objects.filter(pk=product.pk).update(marketing_copy=DEFICIT_COPY + " We celebrate progress.")
    product_services.set_aside_phrase(product, leader, "scarcity:only 3 spots left", "Es un dato real.")
    leader_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "es"
    html = leader_client.get(reverse("product_tone", args=[product.pk])).content.decode()
    for spanish in ("De un vistazo", "Lo que el texto hace bien", "Dónde:", "¿Aquí no es un enfoque de déficit?",
                    "Apartar: aquí no es un enfoque de déficit", "Por qué, en una frase que leerá el comité",
                    "Apartada por los líderes de su distrito (1 frase)", "Volver a contarla", "Las más frecuentes:",
                    "1 vez"):
        assert spanish in html, spanish
    for english in ("At a glance", "What the copy does well", "Where:", "Not deficit framing here?", "Set aside",
                    "Count it again", "Most frequent:", "Why it matters:", "Try instead:", " time<", " times<",
                    "Opportunities to strengthen", "The copy, with each phrase marked"):
        assert english not in html, english


def test_the_audit_section_and_result_count_without_the_phrases_set_aside(leader_client, leader, product, version):
    from audits import tasks as audit_tasks
    from audits.models import Audit
    from tests.audits.helpers import answered_audit
    from tests.products.test_tone_views import copy_section_number

    Product.objects.filter(pk=product.pk).update(marketing_copy=DEFICIT_COPY)
    draft = Audit.objects.create(district=product.district, product=product, rubric_version=version, auditor=leader)
    section = reverse("audit_section", args=[draft.pk, copy_section_number(version)])
    assert "1 strength, 3 phrases to reconsider" in leader_client.get(section).content.decode()
    product_services.set_aside_phrase(product, leader, "urgency:fall behind", "There is no deadline here.")
    assert "1 strength, 2 phrases to reconsider" in leader_client.get(section).content.decode()

    draft.delete()
    scored = answered_audit(product, version, leader, level=4)
    Audit.objects.filter(pk=scored.pk).update(status=Audit.Status.SUBMITTED)
    audit_tasks.score_submitted_audit(scored.pk)
    html = leader_client.get(reverse("audit_result", args=[scored.pk])).content.decode()
    advisory = re.search(r'id="copy-tone-advisory">([^<]*)<', html).group(1)
    # 1 strength and 2 phrases left: 4 × 1 / 3 = 1.3.
    assert advisory.startswith("1.3 of 4") and "2 phrases to reconsider" in advisory


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(key=st.one_of(st.text(max_size=500), st.builds("{}:{}".format, st.sampled_from(tone.CATEGORIES),
                                                      st.text(max_size=500))),
       reason=st.text(max_size=400))
def test_fuzz_setting_aside_never_fails_and_keeps_only_a_deficit_phrase_with_a_reason(leader_client, product,
                                                                                     key, reason):
    response = leader_client.post(reverse("product_tone_set_aside", args=[product.pk]), {"key": key,
                                                                                       "reason": reason})
    assert response.status_code == 302
    for row in PhraseSetAside.objects.filter(product=product):
        assert row.key.split(":", 1)[0] in tone.DEFICIT_CATEGORIES and row.reason.strip()
        assert len(row.reason) <= 300


def test_the_review_page_makes_the_same_queries_for_short_copy_and_for_copy_with_hundreds_of_findings(
        leader_client, leader, product):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("product_tone", args=[product.pk])

    def queries(copy):
        Product.objects.filter(pk=product.pk).update(marketing_copy=copy)
        leader_client.get(url)  # the reading is made and kept
        with CaptureQueriesContext(connection) as captured:
            assert leader_client.get(url).status_code == 200
        return len(captured)

    product_services.set_aside_phrase(product, leader, "urgency:fall behind", "No deadline here.")
    assert queries(DEFICIT_COPY) == queries(many_phrases(400))
