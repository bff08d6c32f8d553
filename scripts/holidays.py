#!/usr/bin/env python3
"""Writes data/holidays.csv, 2000-2035:
- england-and-wales: bank holidays from the rules (New Year, Easter, first and
  last Mondays of May, last Monday of August, Christmas, with substitute days)
  plus the one-off holidays proclaimed in those years;
- united-states-federal: the legal public holidays of 5 U.S.C. 6103(a) as
  federal offices observe them (a Saturday holiday on the Friday before, a
  Sunday one on the Monday after, 5 U.S.C. 6103(b) and Executive Order
  11582), plus the days executive orders closed federal offices nationwide.
  Used for the US State Department's Dissent Channel deadlines.
Review the diff after running it."""
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


def nth_weekday(y, m, weekday, n):
    d = dt.date(y, m, 1)
    d += dt.timedelta((weekday - d.weekday()) % 7)
    return d + dt.timedelta(7 * (n - 1))


def observed(d):
    return d + dt.timedelta({5: -1, 6: 1}.get(d.weekday(), 0))


# Executive orders closing executive departments and agencies for a day
# (Christmas Eves and days after Christmas, national days of mourning).
US_CLOSURES = [
    (dt.date(2001, 12, 24), "Christmas Eve (executive order)"),
    (dt.date(2004, 6, 11), "National Day of Mourning for President Reagan"),
    (dt.date(2007, 1, 2), "National Day of Mourning for President Ford"),
    (dt.date(2007, 12, 24), "Christmas Eve (executive order)"),
    (dt.date(2008, 12, 26), "Day after Christmas (executive order)"),
    (dt.date(2012, 12, 24), "Christmas Eve (executive order)"),
    (dt.date(2014, 12, 26), "Day after Christmas (executive order)"),
    (dt.date(2015, 12, 24), "Christmas Eve (executive order)"),
    (dt.date(2018, 12, 5), "National Day of Mourning for President George H. W. Bush"),
    (dt.date(2018, 12, 24), "Christmas Eve (executive order)"),
    (dt.date(2019, 12, 24), "Christmas Eve (executive order)"),
    (dt.date(2020, 12, 24), "Christmas Eve (executive order)"),
    (dt.date(2024, 12, 24), "Christmas Eve (executive order)"),
    (dt.date(2025, 1, 9), "National Day of Mourning for President Carter"),
]


def us_year(y):
    h = [
        (dt.date(y, 1, 1), "New Year's Day"),
        (nth_weekday(y, 1, 0, 3), "Birthday of Martin Luther King, Jr."),
        (nth_weekday(y, 2, 0, 3), "Washington's Birthday"),
        (last_monday(y, 5), "Memorial Day"),
        (dt.date(y, 7, 4), "Independence Day"),
        (nth_weekday(y, 9, 0, 1), "Labor Day"),
        (nth_weekday(y, 10, 0, 2), "Columbus Day"),
        (dt.date(y, 11, 11), "Veterans Day"),
        (nth_weekday(y, 11, 3, 4), "Thanksgiving Day"),
        (dt.date(y, 12, 25), "Christmas Day"),
    ]
    if y >= 2021:  # Juneteenth National Independence Day Act, 17 June 2021
        h.append((dt.date(y, 6, 19), "Juneteenth National Independence Day"))
    days = [(observed(d), name) for d, name in h]
    # New Year's Day on a Saturday is observed on 31 December of the year before.
    nxt = dt.date(y + 1, 1, 1)
    if nxt.weekday() == 5:
        days.append((observed(nxt), "New Year's Day"))
    days = [(d, name) for d, name in days if d.year == y]
    days += [(d, name) for d, name in US_CLOSURES if d.year == y]
    return sorted(days)


with open(OUT, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["date", "calendar", "name"])
    for y in range(2000, 2036):
        for d, name in year(y):
            w.writerow([d.isoformat(), "england-and-wales", name])
    for y in range(2000, 2036):
        for d, name in us_year(y):
            w.writerow([d.isoformat(), "united-states-federal", name])
