#!/usr/bin/env python3
"""Writes penholder's reference tables in data/ from the public facts in
$PENHOLDER_REF_DATA (control lists, destinations, embargo matrix).

The output is the project's own compilation: codes, structure, short titles,
regimes and our own search keywords -- not copies of the source files. Run it
when the sources change and review the diff like any other change:

    PENHOLDER_REF_DATA=../shared/data scripts/refdata.py

Tables written by hand (criteria.csv, criteria_versions.csv, embargoes.csv)
are loaded as they are; data/sources/ holds hand-written inputs this script
reads (search keywords, extra destination aliases). It never overwrites them.
"""
import csv
import json
import os
import re
import sys
import unicodedata

REF = os.environ.get("PENHOLDER_REF_DATA")
if not REF:
    sys.exit("refdata.py: set PENHOLDER_REF_DATA to the shared data folder")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")


def src(*parts):
    return os.path.join(REF, *parts)


def read_csv(*parts):
    with open(src(*parts), newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def write_csv(name, header, rows):
    path = os.path.join(OUT, name)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    print(f"wrote {name}: {len(rows)} rows")


# ---------------------------------------------------------------- ratings

def rating_key(r):
    return re.sub(r"[.\s]", "", r).upper()


def rating_display(r):
    """ML10a -> ML10.a, 9A008d3 -> 9A008.d.3; other codes unchanged."""
    k = re.sub(r"[.\s]", "", r)
    m = re.match(r"^(ML\d+|PL\d{4}|\d[A-Ea-e]\d{3})(.*)$", k, re.I)
    if not m:
        return r.strip()
    head, rest = m.group(1).upper(), m.group(2)
    parts = re.findall(r"[A-Za-z]+|\d+", rest)
    return ".".join([head] + [p.lower() for p in parts])


def regime_from_number(code):
    """Dual-use entry number range gives the regime (0xx Wassenaar, ...)."""
    m = re.match(r"^(\d)([A-E])(\d{3})", code, re.I)
    if not m:
        return []
    cat, num = m.group(1), int(m.group(3))
    if cat == "0":
        return ["NSG"]
    band = num // 100
    return {0: ["Wassenaar"], 1: ["MTCR"], 2: ["NSG"], 3: ["Australia Group"],
            4: ["CWC"]}.get(band, [])


def regimes_from_marker(marker):
    out = []
    if re.search(r"\[W", marker):
        out.append("Wassenaar")
    if re.search(r"\[M", marker):
        out.append("MTCR")
    if re.search(r"\[N|\[T", marker):
        out.append("NSG")
    if re.search(r"\[A", marker):
        out.append("Australia Group")
    if re.search(r"\[C\d", marker):
        out.append("CWC")
    return out


def kind_of(rating, military_flag=None):
    k = rating_key(rating)
    if k.startswith("ML"):
        return "military"
    if re.match(r"^PL5", k):
        return "national-military"
    if re.match(r"^PL[89]", k):
        return "national-dual-use"
    if re.match(r"^\d", k):
        return "dual-use"
    if k.startswith("HR"):
        return "torture-goods"
    if k.startswith("FR"):
        return "firearms-regulation"
    if k in ("MEND", "ENDUSE"):
        return "catch-all"
    return "sanctions"


def build_controls():
    entries = {}  # key -> dict
    order = []

    def add(rating, parent, title, regimes, kind=None):
        disp = rating_display(rating)
        key = rating_key(disp)
        if key in entries:
            e = entries[key]
            for r in regimes:
                if r not in e["regimes"]:
                    e["regimes"].append(r)
            if not e["title"] and title:
                e["title"] = title
            return
        entries[key] = {
            "rating": disp,
            "parent": rating_display(parent) if parent else "",
            "kind": kind or kind_of(disp),
            "title": title,
            "regimes": list(regimes),
        }
        order.append(key)

    # Military list headings first (ML1..ML22), then the 2018 tree.
    for r in read_csv("reference-notes", "uk_military_list_categories.csv"):
        code = r["code"].strip()
        if not code.startswith("ML"):
            continue
        add(code, "", r["caat_short_description"].strip(), ["Wassenaar"])
    for r in read_csv("controllist", "control_list_tree_2018.csv"):
        rating = r["rating"].strip()
        if not rating:
            continue
        title = (r["short_title"] or r["browse_text"]).strip().replace("\n", " ")
        # The tree's regime markers ([N6C1e*], [M4C2c*]...) say that part of
        # an entry also appears on a regime list; taken as the entry's
        # regimes they would send whole categories (thermal cameras, riot
        # gear) for proliferation checks. The regime is the list's: the
        # Wassenaar Munitions List for ML entries, the number range for
        # dual-use entries, none for national entries.
        if rating_key(rating).startswith("ML"):
            regimes = ["Wassenaar"]
        elif re.match(r"^\d[A-E]\d{3}", rating, re.I):
            regimes = regime_from_number(rating)
        else:
            regimes = []
        add(rating, r["parent_rating"].strip(), title, regimes)
    # Dual-use list 2021: categories, groups and entries.
    for r in read_csv("controllist", "dual_use_list_entries_2021.csv"):
        cat, grp, code = r["category"], r["category"] + r["product_group"], r["code"]
        add(cat, "", r["category_title"].strip(), [])
        add(grp, cat, r["product_group_title"].strip(), [])
        title = re.sub(r"\s+", " ", r["heading"]).strip().rstrip(":").replace('"', "")
        if len(title) > 160:
            title = title[:157].rsplit(" ", 1)[0] + "..."
        add(code, grp, title, regime_from_number(code))
    # Every rating seen in the published register.
    for r in read_csv("register", "caat_ratings_2026.csv"):
        rating = r["rating"].strip()
        disp = rating_display(rating)
        parent = ""
        m = re.match(r"^(\d)([A-E])\d{3}$", rating_key(disp))
        if m:
            parent = m.group(1) + m.group(2)
            add(m.group(1), "", "", [])
            add(parent, m.group(1), "", [])
        regimes = regime_from_number(disp) if re.match(r"^\d", disp) else (
            ["Wassenaar"] if disp.startswith("ML") else [])
        add(rating, parent, r["short_description"].strip(), regimes)
    # Titles for codes the sources leave untitled.
    untitled = {
        "MEND": "Military end-use control (catch-all)",
        "END USE": "WMD end-use control (catch-all)",
        "BLR": "Belarus sanctions", "IRN": "Iran sanctions", "LBN": "Lebanon sanctions",
        "LBY": "Libya sanctions", "PRK": "North Korea sanctions", "RUS": "Russia sanctions",
        "SYR": "Syria sanctions", "UKR": "Ukraine (Crimea) sanctions",
        "UZB": "Uzbekistan sanctions", "ZIM": "Zimbabwe sanctions", "ZWE": "Zimbabwe sanctions",
        "PL9013": "UK national dual-use control",
    }
    for key, e in entries.items():
        if not e["title"]:
            e["title"] = untitled.get(e["rating"].upper(), "")
    # Parents must exist. Entries the sources leave without one hang from the
    # nearest existing ancestor by code (6A002.a -> 6A002 -> 6A -> 6).
    def derived_parent(disp):
        k = rating_key(disp)
        if re.match(r"^\d[A-E]\d{3}$", k):
            return k[:2]
        if re.match(r"^\d[A-E]$", k):
            return k[:1]
        if "." in disp:
            return disp.rsplit(".", 1)[0]
        return ""

    for key in order:
        e = entries[key]
        if e["parent"] and rating_key(e["parent"]) not in entries:
            e["parent"] = ""
        if not e["parent"]:
            p = derived_parent(e["rating"])
            while p and rating_key(p) not in entries:
                p = derived_parent(p)
            e["parent"] = entries[rating_key(p)]["rating"] if p else ""
    keywords = {}
    kw_path = os.path.join(OUT, "sources", "control_keywords.csv")
    if os.path.exists(kw_path):
        with open(kw_path, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                keywords[rating_key(r["rating"])] = r["keywords"]

    def sort_key(k):
        e = entries[k]
        r = e["rating"]
        fam = {"military": 0, "national-military": 1, "dual-use": 2, "national-dual-use": 3}.get(e["kind"], 4)
        parts = re.findall(r"\d+|[A-Za-z]+", r)
        return (fam, [(0, int(p)) if p.isdigit() else (1, p) for p in parts])

    rows = []
    for key in sorted(order, key=sort_key):
        e = entries[key]
        rows.append([e["rating"], e["parent"], e["kind"], e["title"], ";".join(e["regimes"]),
                     keywords.get(key, "")])
    write_csv("controls.csv", ["rating", "parent", "kind", "title", "regimes", "keywords"], rows)


# ----------------------------------------------------------- destinations

def fold(s):
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


# Names in the published register that no code list carries, with the
# destination code the project gives them (documented in data/README.md).
PROJECT_CODES = {
    "XCI": ("Channel Islands", "uk-specific"),
    "XCS": ("Continental Shelf", "uk-specific"),
    "XCS-DK": ("Continental Shelf Danish Sector", "uk-specific"),
    "XCS-NL": ("Continental Shelf Netherlands Sector", "uk-specific"),
    "XCS-NO": ("Continental Shelf Norwegian Sector", "uk-specific"),
    "XFO": ("French Overseas Territory", "uk-specific"),
    "AN": ("Netherlands Antilles", "historic"),
    "MY-13": ("Sarawak", "subdivision"),
}

# Register names -> codes where the name alone does not resolve.
REGISTER_NAMES = {
    "Aland Islands": "AX", "Burma": "MM", "Continental Shelf: United Kingdom sector": "UKCS",
    "Democratic Republic of Congo": "CD", "East Timor": "TL", "Hong Kong Special Administrative Region": "HK",
    "Ivory Coast": "CI", "Macedonia": "MK", "Mayotte (Grand Terre and Pamanzi)": "YT",
    "Republic of Congo": "CG", "Republic of Guinea": "GN", "Republic of Moldova": "MD",
    "St Helena": "SH", "St Lucia": "LC", "St Vincent (including the Grenadines)": "VC",
    "Surinam": "SR", "Svelbard Archipelago": "SJ", "Swaziland": "SZ", "Laos": "LA",
    "North Korea": "KP", "South Korea": "KR", "Russia": "RU", "Syria": "SY", "Iran": "IR",
    "Vietnam": "VN", "Brunei": "BN", "Kosovo": "XK", "British Antarctic Territory": "BAT",
    "Cape Verde": "CV", "Taiwan": "TW", "Tanzania": "TZ", "Bolivia": "BO", "Venezuela": "VE",
    "Macao": "MO", "Palau": "PW", "Channel Islands": "XCI", "Continental Shelf": "XCS",
    "Continental Shelf Danish Sector": "XCS-DK", "Continental Shelf Netherlands Sector": "XCS-NL",
    "Continental Shelf Norwegian Sector": "XCS-NO", "French Overseas Territory": "XFO",
    "Netherlands Antilles": "AN", "Sarawak": "MY-13", "Czech Republic": "CZ", "Turkey": "TR",
    "United States of America": "US", "United Kingdom": "GB", "Bahamas": "BS", "Gambia": "GM",
}


def build_destinations():
    iso = read_csv("countries", "iso3166.csv")
    iso_by2 = {r["alpha-2"]: r for r in iso}
    with open(src("countries", "uk_licensing_destinations_2024.json"), encoding="utf-8") as f:
        uk = json.load(f)
    uk2019 = read_csv("countries", "uk_licensing_destinations_2019.csv")
    caat = sorted({r["country"] for r in read_csv("register", "caat_values_2008_2015.csv")})

    dests = {}
    for d in uk:
        code = d["code"]
        i = iso_by2.get(code[:2]) if len(code) == 2 else None
        kind = "country" if i else ("subdivision" if "-" in code and code != "GB-NIR" else "uk-specific")
        if code == "GB-NIR":
            kind = "subdivision"
        dests[code] = {"code": code, "name": d["name"], "report": d["name"],
                       "iso3": i["alpha-3"] if i else "", "region": i["region"] if i else "",
                       "kind": kind}
    for code, (name, kind) in PROJECT_CODES.items():
        dests.setdefault(code, {"code": code, "name": name, "report": name, "iso3": "",
                                "region": "", "kind": kind})
    for i in iso:  # ISO entries the UK list lacks
        c = i["alpha-2"]
        if c not in dests:
            dests[c] = {"code": c, "name": i["name"], "report": i["name"], "iso3": i["alpha-3"],
                        "region": i["region"], "kind": "country"}

    aliases = {}  # folded -> (alias, code)

    def alias(name, code):
        f = fold(name)
        if f and f not in aliases:
            aliases[f] = (name.strip(), code)

    name_to_code = {fold(d["name"]): c for c, d in dests.items()}
    for c, d in dests.items():
        alias(c, c)
        alias(d["name"], c)
        if d["iso3"]:
            alias(d["iso3"], c)
    for i in iso:
        alias(i["name"], i["alpha-2"])
    # Register names: the published statistics use them, so they are the
    # report names of their destinations.
    for name in caat:
        code = REGISTER_NAMES.get(name) or name_to_code.get(fold(name))
        if not code:
            print(f"refdata.py: register destination not resolved: {name}", file=sys.stderr)
            continue
        dests[code]["report"] = name
        alias(name, code)
    # 2019 names offered to exporters, and the report names they roll up to.
    for r in uk2019:
        offered = r["Country name offered to exporters"].strip()
        report = (r["Country name used in reports (if different)"] or "").strip()
        code = name_to_code.get(fold(offered)) or REGISTER_NAMES.get(offered)
        if code:
            alias(offered, code)
            if report and fold(report) not in aliases:
                alias(report, code)
    extra = os.path.join(OUT, "sources", "destination_aliases_extra.csv")
    if os.path.exists(extra):
        with open(extra, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                alias(r["alias"], r["code"])

    rows = [[d["code"], d["name"], d["report"], d["iso3"], d["region"], d["kind"]]
            for d in sorted(dests.values(), key=lambda d: d["code"])]
    write_csv("destinations.csv", ["code", "name", "report_name", "iso3", "region", "kind"], rows)
    arows = sorted(([a, c] for a, c in aliases.values()), key=lambda r: (r[1], r[0]))
    write_csv("destination_aliases.csv", ["alias", "code"], arows)


if __name__ == "__main__":
    build_controls()
    build_destinations()
