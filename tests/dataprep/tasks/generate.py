"""Generates the dataprep task suites of our own (``train.jsonl``, ``heldout.jsonl``) from rules.

Each task is a rule (a Python function of the input values) over generated inputs in a real data format:
log lines, URLs, addresses, names, product codes, file paths, JSON fragments, code, dates, numbers. The
format of each task follows ``../shared/dataprep/README.md`` (12 to 30 rows; the first rows show the rule
and cover every branch; later rows vary in length and shape). Outputs are computed by the rule, so they are
right by construction.

``train.jsonl`` may be used to fit ranking weights and choose rules (beside the dev set's training folds);
``heldout.jsonl`` was written before any tuning and is only ever measured (never looked at per task while
tuning): it estimates how the learner generalises to tasks it was not developed on.

    python tests/dataprep/tasks/generate.py      # rewrites both files (deterministic)
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
import random
import sys
from decimal import ROUND_HALF_UP, Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pools as P

HERE = os.path.dirname(os.path.abspath(__file__))
TASKS = {"train": [], "heldout": []}


def task(suite, name, description, features, gen, rule, first=(), n=20):
    TASKS[suite].append((name, description, features, gen, rule, list(first), n))


def build(spec, seed):
    name, description, features, gen, rule, first, n = spec
    rng = random.Random(f"{name}:{seed}")
    rows, seen = [], set()
    for inp in first:
        inp = tuple(inp)
        seen.add(inp)
        rows.append({"in": list(inp), "out": rule(*inp)})
    tries = 0
    while len(rows) < n and tries < 5000:
        tries += 1
        inp = gen(rng)
        inp = inp if isinstance(inp, tuple) else (inp,)
        if inp in seen:
            continue
        seen.add(inp)
        rows.append({"in": list(inp), "out": rule(*inp)})
    return {"task": name, "description": description, "features": features, "examples": rows}


# ------------------------------------------------------------------------------------------- helpers
def pick(rng, xs):
    return rng.choice(xs)


def rdate(rng, lo=1990, hi=2030):
    start = dt.date(lo, 1, 1).toordinal()
    return dt.date.fromordinal(rng.randint(start, dt.date(hi, 12, 31).toordinal()))


def rtime(rng):
    return dt.time(rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))


def half_up(x, places=0):
    q = Decimal(1).scaleb(-places)
    return Decimal(str(x)).quantize(q, rounding=ROUND_HALF_UP)


MON = [m[:3] for m in P.MONTHS]
DAY = list(calendar.day_name)


def name(rng, middle=0.3):
    parts = [pick(rng, P.FIRST)]
    if rng.random() < middle:
        parts.append(pick(rng, P.MIDDLE))
    return parts + [pick(rng, P.LAST)]


def url(rng, port=0.3, path=True, query=0.4):
    scheme = pick(rng, ["http", "https", "https"])
    host = pick(rng, ["", "www.", "shop.", "api.", "docs."]) + pick(rng, P.DOMAINS)
    p = f":{rng.choice([8080, 8443, 3000, 9200])}" if rng.random() < port else ""
    segs = "/".join(rng.sample(P.WORDS, rng.randint(0, 3))) if path else ""
    q = (
        f"?id={rng.randint(1, 999)}" + (f"&ref={pick(rng, P.WORDS)}" if rng.random() < 0.5 else "")
        if rng.random() < query
        else ""
    )
    return f"{scheme}://{host}{p}/{segs}{q}"


# =========================================================================================== TRAIN
T = "train"
task(
    T,
    "tnames.001",
    "'First [Middle] Last' -> 'LAST, First'",
    ["Substring", "Concatenation", "Casing"],
    lambda r: " ".join(name(r)),
    lambda s: f"{s.split()[-1].upper()}, {s.split()[0]}",
)
task(
    T,
    "tnames.002",
    "'Last, First' -> 'First Last'",
    ["Substring", "Concatenation"],
    lambda r: f"{pick(r, P.LAST)}, {pick(r, P.FIRST)}",
    lambda s: f"{s.split(', ')[1]} {s.split(', ')[0]}",
)
task(
    T,
    "tnames.003",
    "two-word name -> initials 'F.L.'",
    ["Substring", "Concatenation"],
    lambda r: f"{pick(r, P.FIRST)} {pick(r, P.LAST).replace(' ', '')}",
    lambda s: f"{s[0]}.{s.split()[1][0]}.",
)
task(
    T,
    "tnames.004",
    "strip a title 'Dr.'/'Ms.'/'Mr.' when present",
    ["Conditional", "Substring"],
    lambda r: pick(r, ["Dr. ", "Ms. ", "Mr. ", "", ""]) + f"{pick(r, P.FIRST)} {pick(r, P.LAST)}",
    lambda s: s.split(". ", 1)[1] if ". " in s[:4] else s,
    first=[("Dr. Aiko Tanaka",), ("Bo Ng",)],
)
task(
    T,
    "temails.001",
    "domain of an e-mail address",
    ["Substring"],
    lambda r: (
        f"{pick(r, P.FIRST).lower()}{pick(r, ['.', '_', ''])}{pick(r, P.LAST).lower().replace(' ', '')}@"
        f"{pick(r, P.DOMAINS)}"
    ),
    lambda s: s.split("@")[1],
)
task(
    T,
    "temails.002",
    "'first.last@domain' -> 'First Last'",
    ["Substring", "Casing", "Concatenation"],
    lambda r: (
        f"{pick(r, P.FIRST).lower()}.{pick(r, ['kim', 'silva', 'marsh', 'ruiz', 'sato', 'petrov'])}@"
        f"{pick(r, P.DOMAINS)}"
    ),
    lambda s: " ".join(w.capitalize() for w in s.split("@")[0].split(".")),
)
task(T, "turls.001", "scheme of a URL", ["Substring"], lambda r: url(r), lambda s: s.split("://")[0])
task(
    T,
    "turls.002",
    "last path segment of a URL (no query)",
    ["Substring"],
    lambda r: (
        url(r, query=0.5).rstrip("/") + "/" + pick(r, P.WORDS) + (f"?p={r.randint(1, 9)}" if r.random() < 0.5 else "")
    ),
    lambda s: s.split("?")[0].rstrip("/").split("/")[-1],
)
task(
    T,
    "turls.003",
    "URL without scheme and query: host and path",
    ["Substring"],
    lambda r: url(r, port=0),
    lambda s: s.split("://")[1].split("?")[0],
)
task(
    T,
    "turls.004",
    "port of a URL, 80/443 by scheme when absent",
    ["Conditional", "Substring", "Constant"],
    lambda r: url(r, port=0.5),
    lambda s: (
        s.split("://")[1].split("/")[0].split(":")[1]
        if ":" in s.split("://")[1].split("/")[0]
        else ("443" if s.startswith("https") else "80")
    ),
    first=[("https://shop.kestrel.example:8443/cart",), ("https://kestrel.example/a",), ("http://x.example/",)],
)
task(
    T,
    "tlogs.001",
    "process name of a syslog line",
    ["Substring"],
    lambda r: (
        f"{pick(r, MON)} {r.randint(1, 28):2d} {rtime(r)} {pick(r, P.HOSTS)} {pick(r, P.PROCS)}"
        f"[{r.randint(1, 99999)}]: {' '.join(r.sample(P.WORDS, r.randint(1, 4)))}"
    ),
    lambda s: s.split("]:")[0].split(" ")[-1].split("[")[0],
)
task(
    T,
    "tlogs.002",
    "pid of a syslog line",
    ["Substring"],
    lambda r: (
        f"{pick(r, MON)} {r.randint(1, 28):2d} {rtime(r)} {pick(r, P.HOSTS)} {pick(r, P.PROCS)}"
        f"[{r.randint(1, 99999)}]: session {r.randint(1, 999)} opened"
    ),
    lambda s: s.split("[")[1].split("]")[0],
)
task(
    T,
    "tlogs.003",
    "HTTP status of an access-log line",
    ["Substring"],
    lambda r: (
        f"10.0.{r.randint(0, 255)}.{r.randint(1, 254)} - - [12/Mar/2024:10:{r.randint(10, 59)}:01 +0000] "
        f'"{pick(r, P.METHODS)} /{"/".join(r.sample(P.WORDS, r.randint(1, 3)))} HTTP/1.1" '
        f"{pick(r, [200, 201, 301, 404, 500, 503])} {r.randint(0, 99999)}"
    ),
    lambda s: s.split('" ')[1].split(" ")[0],
)
task(
    T,
    "tlogs.004",
    "value of 'user' in a key=value log line (any field order)",
    ["Substring"],
    lambda r: " ".join(
        r.sample(
            [
                f"user={pick(r, P.FIRST).lower()}{r.randint(1, 99)}",
                f"ip=10.1.{r.randint(0, 9)}.7",
                f"action={pick(r, P.WORDS)}",
                f"ms={r.randint(1, 9999)}",
            ],
            4,
        )
    ),
    lambda s: s.split("user=")[1].split(" ")[0],
)
task(
    T,
    "tlogs.005",
    "log level in brackets, lower case",
    ["Substring", "Casing"],
    lambda r: f"{rdate(r)} {rtime(r)} [{pick(r, P.LEVELS)}] {' '.join(r.sample(P.WORDS, r.randint(1, 5)))}",
    lambda s: s.split("[")[1].split("]")[0].lower(),
)
task(
    T,
    "tjson.001",
    "value of the 'name' field of a JSON object",
    ["Substring"],
    lambda r: json.dumps(
        dict(r.sample([("id", r.randint(1, 9999)), ("name", pick(r, P.FIRST)), ("team", pick(r, P.WORDS))], 3)),
        separators=(",", pick(r, [":", ": "])),
    ),
    lambda s: json.loads(s)["name"],
)
task(
    T,
    "tjson.002",
    "'sku x qty' from a JSON fragment",
    ["Substring", "Concatenation", "Constant"],
    lambda r: f'{{"sku": "{pick(r, ["AB", "QX", "ZEP"])}-{r.randint(1, 999)}", "qty": {r.randint(1, 50)}}}',
    lambda s: f"{json.loads(s)['sku']} x{json.loads(s)['qty']}",
)
task(
    T,
    "tcode.001",
    "function name of a Python def line",
    ["Substring"],
    lambda r: f"def {pick(r, P.IDENTS)}({', '.join(r.sample(['self', 'x', 'y', 'rows', 'path'], r.randint(0, 3)))}):",
    lambda s: s[4 : s.index("(")],
)
task(
    T,
    "tcode.002",
    "base class of a class statement",
    ["Substring"],
    lambda r: f"class {pick(r, P.CLASSES)}({pick(r, ['Base', 'object', 'abc.ABC', 'Exception', 'dict'])}):",
    lambda s: s.split("(")[1].split(")")[0],
)
task(
    T,
    "tcode.003",
    "attribute assigned on self",
    ["Substring"],
    lambda r: f"{' ' * r.choice([4, 8])}self.{pick(r, P.IDENTS)} = {r.randint(0, 99)}",
    lambda s: s.split("self.")[1].split(" ")[0],
)
task(
    T,
    "tcode.004",
    "module of an import-as line",
    ["Substring"],
    lambda r: (
        f"import {pick(r, ['os.path', 'numpy', 'pandas', 'json', 'xml.etree.ElementTree'])} as "
        f"{pick(r, ['p', 'np', 'pd', 'j', 'ET'])}"
    ),
    lambda s: s.split()[1],
)
task(
    T,
    "tsku.001",
    "number of a dash-separated product code",
    ["Substring", "Split"],
    lambda r: f"{pick(r, ['AB', 'QXT', 'Z'])}-{r.randint(1, 99999)}-{pick(r, P.SIZES)}",
    lambda s: s.split("-")[1],
)
task(
    T,
    "tsku.002",
    "'ab1234' -> 'AB-1234'",
    ["Casing", "Concatenation", "Substring"],
    lambda r: f"{''.join(r.sample('abcdxyz', r.randint(2, 3)))}{r.randint(10, 99999)}",
    lambda s: f"{''.join(c for c in s if c.isalpha()).upper()}-{''.join(c for c in s if c.isdigit())}",
)
task(
    T,
    "tsku.003",
    "first option in parentheses",
    ["Substring"],
    lambda r: f"{pick(r, P.WORDS).capitalize()} ({pick(r, P.COLORS)}, {pick(r, P.SIZES)})",
    lambda s: s.split("(")[1].split(",")[0],
)
task(
    T,
    "tpaths.001",
    "file name of a Unix path",
    ["Substring"],
    lambda r: (
        "/"
        + "/".join(r.sample(P.WORDS, r.randint(1, 4)))
        + f"/{pick(r, P.WORDS)}.{pick(r, ['log', 'txt', 'gz', 'log.2'])}"
    ),
    lambda s: s.split("/")[-1],
)
task(
    T,
    "tpaths.002",
    "parent folder name of a Unix path",
    ["Substring"],
    lambda r: "/" + "/".join(r.sample(P.WORDS, r.randint(2, 5))) + f"/{pick(r, P.WORDS)}.txt",
    lambda s: s.split("/")[-2],
)
task(
    T,
    "tpaths.003",
    "year in a file name",
    ["Substring"],
    lambda r: f"{pick(r, P.WORDS)}_{r.randint(1995, 2030)}_{pick(r, ['final', 'v2', 'draft', 'q3'])}.pdf",
    lambda s: s.split("_")[1],
)
task(
    T,
    "taddr.001",
    "state of a US address",
    ["Substring"],
    lambda r: (
        f"{r.randint(1, 9999)} {pick(r, P.STREETS)}, {pick(r, P.CITIES)}, {pick(r, P.STATES)} {r.randint(10000, 99999)}"
    ),
    lambda s: s.split(", ")[-1].split(" ")[0],
)
task(
    T,
    "taddr.002",
    "street number",
    ["Substring"],
    lambda r: f"{r.randint(1, 99999)} {pick(r, P.STREETS)}, {pick(r, P.CITIES)}",
    lambda s: s.split(" ")[0],
)
task(
    T,
    "tphones.001",
    "digits of a formatted phone number",
    ["Substring", "Concatenation"],
    lambda r: f"+1 ({r.randint(200, 999)}) {r.randint(200, 999)}-{r.randint(0, 9999):04d}",
    lambda s: "".join(c for c in s[3:] if c.isdigit()),
)
# dates and times
task(
    T,
    "tdates.001",
    "ISO date -> 'DD/MM/YYYY'",
    ["DateTime"],
    lambda r: rdate(r).isoformat(),
    lambda s: dt.date.fromisoformat(s).strftime("%d/%m/%Y"),
)
task(
    T,
    "tdates.002",
    "'Month D, YYYY' -> ISO",
    ["DateTime"],
    lambda r: (lambda d: f"{P.MONTHS[d.month - 1]} {d.day}, {d.year}")(rdate(r)),
    lambda s: dt.datetime.strptime(s, "%B %d, %Y").date().isoformat(),
)
task(
    T,
    "tdates.003",
    "day-first 'DD/MM/YYYY' -> ISO",
    ["DateTime"],
    lambda r: rdate(r).strftime("%d/%m/%Y"),
    lambda s: dt.datetime.strptime(s, "%d/%m/%Y").date().isoformat(),
    first=[("17/04/2023",)],
)
task(
    T,
    "tdates.004",
    "ISO date -> weekday name",
    ["DateTime"],
    lambda r: rdate(r).isoformat(),
    lambda s: DAY[dt.date.fromisoformat(s).weekday()],
)
task(
    T,
    "tdates.005",
    "ISO date -> quarter 'Q1 2021'",
    ["DateTime"],
    lambda r: rdate(r).isoformat(),
    lambda s: f"Q{(dt.date.fromisoformat(s).month - 1) // 3 + 1} {s[:4]}",
)
task(
    T,
    "tdates.006",
    "24-hour 'HH:MM' -> 12-hour 'h:MM AM'",
    ["DateTime"],
    lambda r: f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}",
    lambda s: dt.datetime.strptime(s, "%H:%M").strftime("%I:%M %p").lstrip("0"),
    first=[("14:05",), ("09:30",)],
)
task(
    T,
    "tdates.007",
    "timestamp rounded down to 15 minutes",
    ["DateTime"],
    lambda r: f"{rdate(r)} {rtime(r)}",
    lambda s: (lambda t: t.replace(minute=t.minute - t.minute % 15, second=0).strftime("%Y-%m-%d %H:%M"))(
        dt.datetime.fromisoformat(s)
    ),
)
task(
    T,
    "tdates.008",
    "ISO week 'YYYY-Www'",
    ["DateTime"],
    lambda r: rdate(r).isoformat(),
    lambda s: "{}-W{:02d}".format(*dt.date.fromisoformat(s).isocalendar()[:2]),
)
task(
    T,
    "tdates.009",
    "'YYYYMMDD' -> ISO",
    ["DateTime", "Substring", "Concatenation"],
    lambda r: rdate(r).strftime("%Y%m%d"),
    lambda s: f"{s[:4]}-{s[4:6]}-{s[6:]}",
)
task(
    T,
    "tdates.010",
    "'Mar 4 2021' -> '04.03.2021'",
    ["DateTime"],
    lambda r: (lambda d: f"{MON[d.month - 1]} {d.day} {d.year}")(rdate(r)),
    lambda s: dt.datetime.strptime(s, "%b %d %Y").strftime("%d.%m.%Y"),
)
task(
    T,
    "tdates.011",
    "time of an ISO timestamp 'HH:MM'",
    ["DateTime", "Substring"],
    lambda r: f"{rdate(r)}T{rtime(r)}Z",
    lambda s: s[11:16],
)
task(
    T,
    "tdates.012",
    "two-digit-year 'M/D/YY' -> ISO",
    ["DateTime"],
    lambda r: (lambda d: f"{d.month}/{d.day}/{d.year % 100:02d}")(rdate(r, 2000, 2029)),
    lambda s: dt.datetime.strptime(s, "%m/%d/%y").date().isoformat(),
)
task(
    T,
    "tdates.013",
    "hour bucket 'HH:00-HH:00' of a time",
    ["DateTime", "Concatenation"],
    lambda r: f"{r.randint(0, 22):02d}:{r.randint(0, 59):02d}",
    lambda s: f"{s[:2]}:00-{int(s[:2]) + 1:02d}:00",
)
task(
    T, "tdates.014", "month start of an ISO date", ["DateTime"], lambda r: rdate(r).isoformat(), lambda s: s[:8] + "01"
)
# numbers
task(
    T,
    "tnum.001",
    "integer with thousands separators",
    ["Numeric"],
    lambda r: str(r.randint(1, 10 ** r.randint(1, 9))),
    lambda s: f"{int(s):,}",
    first=[("1234567",)],
)
task(
    T,
    "tnum.002",
    "European '1.234,56' -> '1234.56'",
    ["Numeric"],
    lambda r: f"{r.randint(0, 999999):,}".replace(",", ".") + f",{r.randint(0, 99):02d}",
    lambda s: s.replace(".", "").replace(",", "."),
    first=[("1.234,56",)],
)
task(
    T,
    "tnum.003",
    "fraction -> percent with one decimal",
    ["Numeric"],
    lambda r: f"{r.randint(0, 1000) / 1000:.3f}",
    lambda s: f"{half_up(Decimal(s) * 100, 1)}%",
)
task(
    T,
    "tnum.004",
    "percent -> fraction",
    ["Numeric"],
    lambda r: f"{r.randint(0, 100)}%",
    lambda s: f"{half_up(Decimal(s[:-1]) / 100, 2)}",
)
task(
    T,
    "tnum.005",
    "milliseconds -> seconds with 3 decimals",
    ["Numeric", "Concatenation"],
    lambda r: f"{r.randint(1, 99999)} ms",
    lambda s: f"{half_up(Decimal(s.split()[0]) / 1000, 3)} s",
)
task(
    T,
    "tnum.006",
    "round to one decimal",
    ["Numeric"],
    lambda r: f"{r.randint(0, 99999) / 10 ** r.randint(2, 4)}",
    lambda s: str(half_up(s, 1)),
    first=[("3.14159",)],
)
task(
    T,
    "tnum.007",
    "bucket of width 10 'lo-hi'",
    ["Numeric", "Concatenation"],
    lambda r: str(r.randint(0, 999)),
    lambda s: f"{int(s) // 10 * 10}-{int(s) // 10 * 10 + 10}",
    first=[("17",), ("245",)],
)
task(
    T,
    "tnum.008",
    "currency amount -> plain number with 2 decimals",
    ["Numeric"],
    lambda r: f"${r.randint(0, 99999):,}" + (f".{r.randint(0, 9)}" if r.random() < 0.5 else ""),
    lambda s: f"{half_up(s[1:].replace(',', ''), 2)}",
)
task(
    T,
    "tnum.009",
    "zero-pad to 3 digits",
    ["Numeric"],
    lambda r: str(r.randint(0, 999)),
    lambda s: f"{int(s):03d}",
    first=[("7",)],
)
task(
    T,
    "tnum.010",
    "grams -> kilograms",
    ["Numeric", "Concatenation"],
    lambda r: f"{r.randint(1, 99) * 100} g",
    lambda s: (
        f"{Decimal(s.split()[0]) / 1000} kg".replace(".0 kg", " kg")
        if False
        else f"{(Decimal(s.split()[0]) / 1000).normalize():f} kg"
    ),
    first=[("1500 g",)],
)
task(
    T,
    "tnum.011",
    "round to nearest integer (half up)",
    ["Numeric"],
    lambda r: f"{r.randint(0, 9999) / 10}",
    lambda s: str(half_up(s)),
)
task(
    T,
    "tnum.012",
    "multiply by 100, integer percent",
    ["Numeric"],
    lambda r: f"0.{r.randint(0, 99):02d}",
    lambda s: f"{int(half_up(Decimal(s) * 100))}%",
)
# conditionals and multi-column
task(
    T,
    "tcond.001",
    "M/F (any case, spaces) -> Male/Female",
    ["Conditional", "Constant"],
    lambda r: (
        pick(r, ["", " "]) + pick(r, ["M", "F", "m", "f", "male", "female", "Male", "FEMALE"]) + pick(r, ["", " "])
    ),
    lambda s: "Male" if s.strip()[0] in "Mm" else "Female",
    first=[("M",), ("F",)],
)
task(
    T,
    "tcond.002",
    "accounting negative '(12.50)' -> '-12.50'",
    ["Conditional", "Numeric"],
    lambda r: (lambda v: f"({v})" if r.random() < 0.5 else v)(f"{r.randint(0, 9999)}.{r.randint(0, 99):02d}"),
    lambda s: f"-{s[1:-1]}" if s.startswith("(") else s,
    first=[("(12.50)",), ("7.25",)],
)
task(
    T,
    "tmulti.001",
    "e-mail from first and last name columns, lower case",
    ["Multicolumn", "Casing", "Concatenation"],
    lambda r: (pick(r, P.FIRST), pick(r, ["Kim", "Silva", "Marsh", "Ruiz", "Sato"])),
    lambda a, b: f"{a.lower()}.{b.lower()}@corp.example",
)
task(
    T,
    "tmulti.002",
    "'City (ST)' from city and state",
    ["Multicolumn", "Concatenation"],
    lambda r: (pick(r, P.CITIES), pick(r, P.STATES)),
    lambda a, b: f"{a} ({b})",
)
task(
    T,
    "tmulti.003",
    "amount and currency -> '12.50 EUR'",
    ["Multicolumn", "Numeric", "Concatenation"],
    lambda r: (f"{r.randint(0, 9999)}.{r.randint(0, 9)}", pick(r, P.CURRENCIES)),
    lambda a, b: f"{half_up(a, 2)} {b}",
)
task(
    T,
    "tmulti.004",
    "ISO date from day, month, year columns",
    ["Multicolumn", "DateTime", "Numeric"],
    lambda r: (lambda d: (str(d.day), str(d.month), str(d.year)))(rdate(r)),
    lambda d, m, y: f"{y}-{int(m):02d}-{int(d):02d}",
)

# ========================================================================================== HELDOUT
H = "heldout"
task(
    H,
    "hnames.001",
    "'first last' (any case) -> 'F. Last'",
    ["Substring", "Casing", "Concatenation"],
    lambda r: f"{pick(r, P.FIRST).lower()} {pick(r, P.LAST).upper()}",
    lambda s: f"{s[0].upper()}. {s.split(' ', 1)[1].title()}",
)
task(
    H,
    "hnames.002",
    "last word of a name, upper case",
    ["Substring", "Casing"],
    lambda r: " ".join(name(r, 0.5)).replace("Van Dijk", "Dijk"),
    lambda s: s.split()[-1].upper(),
)
task(
    H,
    "hnet.001",
    "IP address of 'ip:port'",
    ["Substring"],
    lambda r: f"{r.randint(1, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}:{r.randint(1, 65535)}",
    lambda s: s.split(":")[0],
)
task(
    H,
    "hnet.002",
    "MAC address -> lower-case hex without colons",
    ["Substring", "Casing", "Concatenation"],
    lambda r: ":".join(f"{r.randint(0, 255):02X}" for _ in range(6)),
    lambda s: s.replace(":", "").lower(),
)
task(
    H,
    "hnet.003",
    "host of a URL without 'www.'",
    ["Conditional", "Substring"],
    lambda r: url(r),
    lambda s: s.split("://")[1].split("/")[0].split(":")[0].removeprefix("www."),
    first=[("https://www.kestrel.example/a",), ("http://api.lumenfield.example:8080/x",)],
)
task(
    H,
    "hgit.001",
    "PR number of a git log line",
    ["Substring"],
    lambda r: (
        f"{''.join(r.choice('0123456789abcdef') for _ in range(7))} {pick(r, ['Fix', 'Add', 'Remove'])} "
        f"{' '.join(r.sample(P.WORDS, r.randint(1, 4)))} (#{r.randint(1, 9999)})"
    ),
    lambda s: s.split("(#")[1][:-1],
)
task(
    H,
    "hhtml.001",
    "link text of an anchor tag",
    ["Substring"],
    lambda r: f'<a href="{url(r, query=0)}">{" ".join(r.sample(P.WORDS, r.randint(1, 3))).capitalize()}</a>',
    lambda s: s.split(">")[1].split("<")[0],
)
task(
    H,
    "hsql.001",
    "table of a SELECT statement",
    ["Substring"],
    lambda r: (
        f"SELECT {', '.join(r.sample(['id', 'name', 'total', 'ts'], r.randint(1, 3)))} FROM "
        f"{pick(r, ['users', 'orders', 'sales.daily', 'events'])}"
        + (f" WHERE id > {r.randint(1, 99)}" if r.random() < 0.5 else "")
    ),
    lambda s: s.split(" FROM ")[1].split(" ")[0],
)
task(
    H,
    "hjava.001",
    "line number of a Java stack frame",
    ["Substring"],
    lambda r: (
        f"    at com.{pick(r, P.WORDS)}.{pick(r, P.CLASSES)}.{pick(r, P.IDENTS)}({pick(r, P.CLASSES)}.java:{r.randint(1, 2000)})"
    ),
    lambda s: s.split(":")[-1][:-1],
)
task(
    H,
    "hisbn.001",
    "ISBN without dashes",
    ["Substring", "Concatenation"],
    lambda r: f"978-{r.randint(0, 9)}-{r.randint(10, 99999)}-{r.randint(10, 999)}-{r.randint(0, 9)}",
    lambda s: s.replace("-", ""),
)
task(
    H,
    "hcsv.001",
    "second field of a semicolon record",
    ["Split", "Substring"],
    lambda r: ";".join([pick(r, P.LAST), pick(r, P.CITIES), str(r.randint(1, 99))]),
    lambda s: s.split(";")[1],
)
task(
    H,
    "hcode.001",
    "variable of a JavaScript const declaration",
    ["Substring"],
    lambda r: f"const {pick(r, P.IDENTS)} = {pick(r, ['require', 'await fetch', 'new Map'])}({r.randint(0, 9)});",
    lambda s: s.split()[1],
)
task(
    H,
    "hcode.002",
    "snake_case -> camelCase",
    ["Casing"],
    lambda r: "_".join(r.sample(["user", "id", "total", "count", "max", "order", "ship", "date"], r.randint(2, 4))),
    lambda s: s.split("_")[0] + "".join(w.capitalize() for w in s.split("_")[1:]),
    first=[("order_total",)],
)
task(
    H,
    "hjson.001",
    "value of 'city' in a flat JSON object",
    ["Substring"],
    lambda r: json.dumps(
        dict(r.sample([("zip", str(r.randint(10000, 99999))), ("city", pick(r, P.CITIES)), ("n", r.randint(0, 9))], 3))
    ),
    lambda s: json.loads(s)["city"],
)
task(
    H,
    "hkv.001",
    "value of 'env' in 'k=v;k=v' settings",
    ["Substring"],
    lambda r: ";".join(
        r.sample(
            [
                f"env={pick(r, ['prod', 'staging', 'dev-2'])}",
                f"region=eu-{r.randint(1, 3)}",
                f"tier={pick(r, ['gold', 'free'])}",
            ],
            3,
        )
    ),
    lambda s: s.split("env=")[1].split(";")[0],
)
task(
    H,
    "hsku.001",
    "size suffix of a product code",
    ["Substring"],
    lambda r: f"{pick(r, ['TS', 'HD', 'JK'])}{r.randint(100, 9999)}-{pick(r, P.COLORS).upper()}-{pick(r, P.SIZES)}",
    lambda s: s.split("-")[-1],
)
task(
    H,
    "hsku.002",
    "product code parts joined by '/'",
    ["Concatenation", "Substring"],
    lambda r: f"{pick(r, ['TS', 'HD', 'JK'])} {r.randint(100, 9999)} {pick(r, P.COLORS).upper()}",
    lambda s: s.replace(" ", "/"),
)
task(
    H,
    "hpath.001",
    "extension of a Windows path",
    ["Substring"],
    lambda r: (
        "C:\\"
        + "\\".join(r.sample(P.WORDS, r.randint(1, 3)))
        + f"\\{pick(r, P.WORDS)}.{pick(r, ['docx', 'xlsx', 'csv'])}"
    ),
    lambda s: s.split(".")[-1],
)
task(
    H,
    "hpath.002",
    "file name without extension",
    ["Substring"],
    lambda r: (
        "/"
        + "/".join(r.sample(P.WORDS, r.randint(1, 3)))
        + f"/{pick(r, P.WORDS)}_{r.randint(1, 99)}.{pick(r, ['csv', 'json'])}"
    ),
    lambda s: s.split("/")[-1].split(".")[0],
)
task(
    H,
    "haddr.001",
    "ZIP of a US address",
    ["Substring"],
    lambda r: (
        f"{r.randint(1, 9999)} {pick(r, P.STREETS)}, {pick(r, P.CITIES)}, {pick(r, P.STATES)} {r.randint(10000, 99999)}"
    ),
    lambda s: s.split(" ")[-1],
)
task(
    H,
    "hlog.001",
    "duration in a log message 'took 123ms'",
    ["Substring"],
    lambda r: f"[{pick(r, P.LEVELS)}] {pick(r, P.WORDS)} took {r.randint(1, 99999)}ms ({pick(r, P.HOSTS)})",
    lambda s: s.split("took ")[1].split("ms")[0],
)
task(
    H,
    "hlog.002",
    "component of 'time level component: message'",
    ["Substring"],
    lambda r: (
        f"{rtime(r)} {pick(r, P.LEVELS)} {pick(r, ['db.pool', 'http', 'scheduler', 'auth-service'])}: "
        f"{' '.join(r.sample(P.WORDS, r.randint(1, 4)))}"
    ),
    lambda s: s.split(" ")[2][:-1],
)
task(
    H,
    "hdates.001",
    "'DD.MM.YYYY' -> 'Month D, YYYY'",
    ["DateTime"],
    lambda r: rdate(r).strftime("%d.%m.%Y"),
    lambda s: (lambda d: f"{P.MONTHS[d.month - 1]} {d.day}, {d.year}")(dt.datetime.strptime(s, "%d.%m.%Y")),
)
task(
    H,
    "hdates.002",
    "'YYYY/M/D' -> 'Mon YYYY'",
    ["DateTime"],
    lambda r: (lambda d: f"{d.year}/{d.month}/{d.day}")(rdate(r)),
    lambda s: (lambda d: f"{MON[d.month - 1]} {d.year}")(dt.datetime.strptime(s, "%Y/%m/%d")),
)
task(
    H,
    "hdates.003",
    "'Thu, 04 Mar 2021' -> ISO",
    ["DateTime"],
    lambda r: (lambda d: f"{DAY[d.weekday()][:3]}, {d.day:02d} {MON[d.month - 1]} {d.year}")(rdate(r)),
    lambda s: dt.datetime.strptime(s, "%a, %d %b %Y").date().isoformat(),
)
task(
    H,
    "hdates.004",
    "'H:M' -> 'HH:MM'",
    ["DateTime", "Numeric"],
    lambda r: f"{r.randint(0, 23)}:{r.randint(0, 59)}",
    lambda s: "{:02d}:{:02d}".format(*map(int, s.split(":"))),
    first=[("9:5",)],
)
task(
    H,
    "hdates.005",
    "timestamp rounded down to the hour",
    ["DateTime"],
    lambda r: f"{rdate(r)} {rtime(r).strftime('%H:%M')}",
    lambda s: s[:14] + "00",
)
task(
    H,
    "hdates.006",
    "US 'M/D/YYYY' -> weekday abbreviation",
    ["DateTime"],
    lambda r: (lambda d: f"{d.month}/{d.day}/{d.year}")(rdate(r)),
    lambda s: DAY[dt.datetime.strptime(s, "%m/%d/%Y").weekday()][:3],
)
task(
    H,
    "hdates.007",
    "ISO date -> 'YYYY-Qn'",
    ["DateTime"],
    lambda r: rdate(r).isoformat(),
    lambda s: f"{s[:4]}-Q{(int(s[5:7]) - 1) // 3 + 1}",
)
task(
    H,
    "hdates.008",
    "12-hour '3:45 PM' -> 24-hour 'HH:MM'",
    ["DateTime"],
    lambda r: f"{r.randint(1, 12)}:{r.randint(0, 59):02d} {pick(r, ['AM', 'PM'])}",
    lambda s: dt.datetime.strptime(s, "%I:%M %p").strftime("%H:%M"),
    first=[("3:45 PM",), ("9:05 AM",)],
)
task(
    H,
    "hdates.009",
    "ISO date -> 'D Month YYYY'",
    ["DateTime"],
    lambda r: rdate(r).isoformat(),
    lambda s: (lambda d: f"{d.day} {P.MONTHS[d.month - 1]} {d.year}")(dt.date.fromisoformat(s)),
)
task(
    H,
    "hdates.010",
    "day-first 'D/M/YYYY' -> 'YYYY-MM'",
    ["DateTime"],
    lambda r: (lambda d: f"{d.day}/{d.month}/{d.year}")(rdate(r)),
    lambda s: dt.datetime.strptime(s, "%d/%m/%Y").strftime("%Y-%m"),
    first=[("23/4/2021",)],
)
task(
    H,
    "hnum.001",
    "space-thousands decimal comma '1 234,5' -> '1234.5'",
    ["Numeric"],
    lambda r: f"{r.randint(0, 999999):,}".replace(",", " ") + f",{r.randint(0, 9)}",
    lambda s: s.replace(" ", "").replace(",", "."),
    first=[("1 234,5",)],
)
task(
    H,
    "hnum.002",
    "fraction -> integer percent",
    ["Numeric"],
    lambda r: f"{r.randint(0, 100) / 100}",
    lambda s: f"{int(half_up(Decimal(s) * 100))}%",
)
task(
    H,
    "hnum.003",
    "kilometres with decimal comma -> metres",
    ["Numeric", "Concatenation"],
    lambda r: f"{r.randint(0, 99)},{r.randint(0, 9)} km",
    lambda s: f"{int(Decimal(s.split()[0].replace(',', '.')) * 1000)} m",
)
task(
    H,
    "hnum.004",
    "round to 2 decimals",
    ["Numeric"],
    lambda r: f"{r.randint(0, 999999) / 1000}",
    lambda s: f"{half_up(s, 2)}",
    first=[("12.345",)],
)
task(
    H,
    "hnum.005",
    "bucket of width 10 '90-100'",
    ["Numeric", "Concatenation"],
    lambda r: str(r.randint(0, 99)),
    lambda s: f"{int(s) // 10 * 10}-{int(s) // 10 * 10 + 10}",
    first=[("99",), ("4",)],
)
task(
    H,
    "hnum.006",
    "price with thousands separators and 2 decimals",
    ["Numeric"],
    lambda r: f"{r.randint(0, 9999999) / 100}",
    lambda s: f"{half_up(s, 2):,}",
)
task(
    H,
    "hnum.007",
    "seconds -> minutes:seconds",
    ["Numeric", "Concatenation"],
    lambda r: str(r.randint(0, 5999)),
    lambda s: f"{int(s) // 60}:{int(s) % 60:02d}",
    first=[("125",)],
)
task(
    H,
    "hcond.001",
    "'Y'/'N' (any case, spaces) -> 'yes'/'no'",
    ["Conditional", "Constant"],
    lambda r: pick(r, ["", " "]) + pick(r, ["Y", "N", "y", "n", "Yes", "no", "YES", "No"]) + pick(r, ["", " "]),
    lambda s: "yes" if s.strip()[0] in "Yy" else "no",
    first=[("Y",), ("N",)],
)
task(
    H,
    "hcond.002",
    "add 'https://' when a URL has no scheme",
    ["Conditional", "Constant", "Concatenation"],
    lambda r: pick(r, ["", "https://"]) + pick(r, P.DOMAINS) + "/" + pick(r, P.WORDS),
    lambda s: s if s.startswith("https://") else "https://" + s,
    first=[("kestrel.example/a",), ("https://kestrel.example/b",)],
)
task(
    H,
    "hmulti.001",
    "'last_first_id' from three columns, lower case",
    ["Multicolumn", "Casing", "Concatenation"],
    lambda r: (pick(r, P.FIRST), pick(r, ["Kim", "Silva", "Marsh"]), str(r.randint(1, 999))),
    lambda a, b, c: f"{b.lower()}_{a.lower()}_{c}",
)
task(
    H,
    "hmulti.002",
    "'HH:MM' from hour and minute columns",
    ["Multicolumn", "DateTime", "Numeric"],
    lambda r: (str(r.randint(0, 23)), str(r.randint(0, 59))),
    lambda h, m: f"{int(h):02d}:{int(m):02d}",
)


def main():
    for suite, specs in TASKS.items():
        with open(os.path.join(HERE, f"{suite}.jsonl"), "w", encoding="utf-8") as f:
            for spec in specs:
                f.write(json.dumps(build(spec, 0), ensure_ascii=False) + "\n")
        print(f"{suite}: {len(specs)} tasks")


if __name__ == "__main__":
    main()
