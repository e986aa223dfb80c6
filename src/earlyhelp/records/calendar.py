"""Calendar months, as the law and the programme count them."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same date `months` later; that month's last day if the date does not exist (31 January + 1 month is
    28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
