"""Charts as inline SVG: no script and no inline styles, so they work under the content security policy."""

from django import template

register = template.Library()

BAR_AREA = 400  # px available for the longest bar


@register.inclusion_tag("ui/includes/bar_chart.html")
def bar_chart(rows, caption, unit="families"):
    """A horizontal bar chart of (label, count) rows, with the figures as text for everyone."""
    largest = max((count for _, count in rows), default=0) or 1
    bars = [{"label": label, "count": count, "width": round(BAR_AREA * count / largest), "y": i * 36}
            for i, (label, count) in enumerate(rows)]
    return {"bars": bars, "caption": caption, "unit": unit, "height": len(bars) * 36, "area": BAR_AREA}
