"""One audit's criterion scores as a bar chart: plain data in, SVG out, checked against numbers worked by hand."""

import re

from committees.charts import score_bars_svg


def chart(bars):
    return score_bars_svg(bars, title="Scores", description="One bar per criterion.", scale_label="Score out of 100",
                          no_score="Not applicable")


def test_each_bar_is_its_score_out_of_100_across_the_plot_with_the_value_written_on_it():
    svg = chart([("Problem framing", "100.0"), ("Copy & tone", "50.0"), ("Research breadth", "5.0")])
    # The plot runs from x = 258 to 720 − 16 = 704: 446 wide; 50 → 223; 5 → 22.3.
    assert re.findall(r'<rect x="258" y="[\d.]+" width="([\d.]+)"', svg) == ["446.0", "223.0", "22.3"]
    # A bar long enough holds its number in white; a short one has it in dark text beside it.
    assert '<text x="700.0" y="41.0" font-size="12" font-weight="bold" text-anchor="end" fill="#ffffff">100.0<' in svg
    assert 'text-anchor="start" fill="#212529">5.0<' in svg
    assert "Copy &amp; tone" in svg  # text is escaped


def test_a_criterion_without_a_score_says_so_and_draws_no_bar():
    svg = chart([("User control", None)])
    assert "<rect" not in svg and ">Not applicable</text>" in svg


def test_the_scale_is_labelled_0_to_100_and_the_chart_names_itself_for_assistive_technology():
    svg = chart([("Problem framing", "62.5")])
    assert [t for t in re.findall(r">(\d+)</text>", svg)] == ["0", "25", "50", "75", "100"]
    assert 'role="img"' in svg and 'aria-labelledby="score-bars-title score-bars-desc"' in svg
    assert "<title id=\"score-bars-title\">Scores</title>" in svg and ">Score out of 100<" in svg


def test_a_score_outside_0_to_100_stays_inside_the_plot():
    svg = chart([("A", "130.0"), ("B", "-4.0")])
    assert re.findall(r'<rect x="258" y="[\d.]+" width="([\d.]+)"', svg) == ["446.0", "0.0"]
