#!/usr/bin/env python3
"""Writes data/holidays.csv: bank holidays in England and Wales, 2000-2035,
from the rules (New Year, Easter, first and last Mondays of May, last Monday
of August, Christmas, with substitute days) plus the one-off holidays
proclaimed in those years. Review the diff after running it."""
import csv
import datetime as dt
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "holidays.csv")
ONE_OFF = {
    2002: [(dt.date(2002, 6, 3), "Golden Jubilee")],
    2011: [(dt.date(2011, 4, 29), "Royal wedding")],
    2012: [(dt.date(2012, 6, 5), "Diamond Jubilee")],
    2022: [(dt.date(2022, 6, 3), "Platinum Jubilee"), (dt.date(2022, 9, 19), "State Funeral of Queen Elizabeth II")],
    2023: [(dt.date(2023, 5, 8), "Coronation of King Charles III")],
}
MOVED = {  # (year, rule) -> date
    (2020, "early-may"): dt.date(2020, 5, 8), (2002, "spring"): dt.date(2002, 6, 4),
    (2012, "spring"): dt.date(2012, 6, 4), (2022, "spring"): dt.date(2022, 6, 2),
}


def easter(y):
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    return dt.date(y, (h + l - 7 * m + 114) // 31, (h + l - 7 * m + 114) % 31 + 1)


def first_monday(y, m):
    d = dt.date(y, m, 1)
    return d + dt.timedelta((7 - d.weekday()) % 7)


def last_monday(y, m):
    d = dt.date(y, m + 1, 1) - dt.timedelta(1)
    return d - dt.timedelta(d.weekday())


def year(y):
    h = []
    nyd = dt.date(y, 1, 1)
    nyd += dt.timedelta({5: 2, 6: 1}.get(nyd.weekday(), 0))
    h.append((nyd, "New Year's Day"))
    e = easter(y)
    h += [(e - dt.timedelta(2), "Good Friday"), (e + dt.timedelta(1), "Easter Monday")]
    h.append((MOVED.get((y, "early-may"), first_monday(y, 5)), "Early May bank holiday"))
    h.append((MOVED.get((y, "spring"), last_monday(y, 5)), "Spring bank holiday"))
    h.append((last_monday(y, 8), "Summer bank holiday"))
    wd = dt.date(y, 12, 25).weekday()
    xmas = dt.date(y, 12, 27) if wd in (5, 6) else dt.date(y, 12, 25)
    boxing = {5: dt.date(y, 12, 28), 6: dt.date(y, 12, 26), 4: dt.date(y, 12, 28)}.get(wd, dt.date(y, 12, 26))
    h += [(xmas, "Christmas Day"), (boxing, "Boxing Day")] + ONE_OFF.get(y, [])
    return sorted(h)


with open(OUT, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["date", "calendar", "name"])
    for y in range(2000, 2036):
        for d, name in year(y):
            w.writerow([d.isoformat(), "england-and-wales", name])
