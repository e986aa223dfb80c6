"""A need's distance travelled as a small inline SVG line chart (no script, no inline styles, so it works under
the content security policy). The table beside it holds the same figures: it is the chart's text alternative."""

from django import template

register = template.Library()

LEFT, TOP, STEP, ROW = 40, 12, 90, 28  # px: the y axis labels, the top margin, between points, between scores


@register.inclusion_tag("casework/includes/progress_chart.html")
def progress_chart(progress, caption, chart_id):
    """`progress`: a need's NeedProgress rows, oldest first (baseline, reviews, closure)."""
    points = [{"x": LEFT + 20 + index * STEP, "y": TOP + (5 - row.score) * ROW, "score": row.score,
               "label": row.get_occasion_display(), "date": row.recorded_on} for index, row in enumerate(progress)]
    width = LEFT + 40 + max(len(points) - 1, 0) * STEP
    return {"points": points, "caption": caption, "chart_id": chart_id, "width": max(width, 160), "height": TOP + 4 * ROW + 40,
            "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
            "gridlines": [{"score": score, "y": TOP + (5 - score) * ROW} for score in range(5, 0, -1)],
            "axis_y": TOP + 4 * ROW + 28}
