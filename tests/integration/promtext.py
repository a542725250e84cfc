"""A small, strict reader of the Prometheus text exposition format 0.0.4,
for tests: it refuses anything a scraper might misread instead of guessing.

parse(text) returns an Exposition: .types {family: type}, .helps {family:
text} and .samples {(name, labels): value} with labels a tuple of sorted
(key, value) pairs.  Checked: every line is a HELP, a TYPE or a sample; HELP
and TYPE at most once per family and before its samples; every sample
belongs to the family declared last (histograms: _bucket, _sum, _count);
a family's samples are contiguous; label names and escapes are valid; no
series twice; counters are not negative; every histogram series has
buckets in increasing `le` order, cumulative, ending with +Inf equal to
_count, and a _sum; the text ends with a newline.
"""
import math
import re

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


class FormatError(ValueError):
    pass


class Exposition:
    def __init__(self):
        self.types = {}
        self.helps = {}
        self.samples = {}

    def value(self, name, **labels):
        """The value of one series, or None."""
        return self.samples.get((name, tuple(sorted(labels.items()))))

    def total(self, name, **match):
        """The sum over every series of name whose labels include match."""
        total = 0.0
        for (n, labels), v in self.samples.items():
            d = dict(labels)
            if n == name and all(d.get(k) == w for k, w in match.items()):
                total += v
        return total

    def series(self, name):
        """[(labels dict, value)] of every series of name."""
        return [(dict(l), v) for (n, l), v in self.samples.items() if n == name]


def _labels(text, lineno):
    """Parses the inside of {…}; returns a dict."""
    labels, i = {}, 0
    while i < len(text):
        m = LABEL_NAME.match(text, i)
        if not m or text[m.end():m.end() + 2] != '="':
            raise FormatError(f"line {lineno}: bad label at {text[i:]!r}")
        name, i = m.group(0), m.end() + 2
        value = []
        while True:
            if i >= len(text):
                raise FormatError(f"line {lineno}: unterminated label value")
            c = text[i]
            if c == "\\":
                esc = text[i + 1:i + 2]
                if esc not in ("\\", '"', "n"):
                    raise FormatError(f"line {lineno}: bad escape \\{esc}")
                value.append("\n" if esc == "n" else esc)
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                raise FormatError(f"line {lineno}: raw newline in a label value")
            else:
                value.append(c)
                i += 1
        if name in labels:
            raise FormatError(f"line {lineno}: label {name} twice")
        labels[name] = "".join(value)
        if i < len(text):
            if text[i] != ",":
                raise FormatError(f"line {lineno}: expected ',' at {text[i:]!r}")
            i += 1
    return labels


def _number(text, lineno):
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text):
        raise FormatError(f"line {lineno}: bad number {text!r}")
    return float(text)


SAMPLE = re.compile(rf"({NAME})(?:\{{(.*)\}})? (\S+)(?: (-?\d+))?$")


def parse(text):
    exp = Exposition()
    if text and not text.endswith("\n"):
        raise FormatError("the exposition does not end with a newline")
    current = None          # the family whose samples may follow
    finished = set()        # families whose samples are over
    histo = {}              # (family, labels without le) -> [(le, count)], sum, count
    with_samples = set()    # families that have had a sample
    for lineno, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("#"):
            m = re.fullmatch(rf"# (HELP|TYPE) ({NAME}) ?(.*)", line)
            if not m:
                raise FormatError(f"line {lineno}: a comment that is neither HELP nor TYPE")
            kind, name, rest = m.groups()
            if name in finished or name in with_samples:
                raise FormatError(f"line {lineno}: {kind} for {name} after its samples")
            table = exp.helps if kind == "HELP" else exp.types
            if name in table:
                raise FormatError(f"line {lineno}: second {kind} for {name}")
            if kind == "TYPE" and rest not in TYPES:
                raise FormatError(f"line {lineno}: unknown type {rest!r}")
            table[name] = rest
            if current and current != name:
                finished.add(current)
            current = name
            continue
        m = SAMPLE.match(line)
        if not m:
            raise FormatError(f"line {lineno}: not a sample: {line!r}")
        name, label_text, value_text, _ts = m.groups()
        labels = _labels(label_text or "", lineno)
        value = _number(value_text, lineno)
        family, suffix = name, ""
        if current and exp.types.get(current) == "histogram":
            for s in ("_bucket", "_sum", "_count"):
                if name == current + s:
                    family, suffix = current, s
        if family != current or current not in exp.types:
            raise FormatError(f"line {lineno}: sample {name} outside its declared family "
                              f"(current family: {current})")
        key = (name, tuple(sorted(labels.items())))
        if key in exp.samples:
            raise FormatError(f"line {lineno}: series {key} twice")
        exp.samples[key] = value
        with_samples.add(family)
        kind = exp.types[family]
        if kind == "counter" and not value >= 0:
            raise FormatError(f"line {lineno}: counter {name} is {value}")
        if kind == "histogram":
            if suffix == "":
                raise FormatError(f"line {lineno}: bare sample in histogram {family}")
            rest = {k: v for k, v in labels.items() if k != "le"}
            hk = (family, tuple(sorted(rest.items())))
            h = histo.setdefault(hk, {"buckets": [], "sum": None, "count": None})
            if suffix == "_bucket":
                if "le" not in labels:
                    raise FormatError(f"line {lineno}: bucket without le")
                if h["sum"] is not None or h["count"] is not None:
                    raise FormatError(f"line {lineno}: bucket after _sum/_count")
                h["buckets"].append((_number(labels["le"], lineno), value))
            elif "le" in labels:
                raise FormatError(f"line {lineno}: le on {name}")
            else:
                h[suffix[1:]] = value
    for (family, labels), h in histo.items():
        b = h["buckets"]
        where = f"histogram {family}{dict(labels)}"
        if not b or b[-1][0] != math.inf:
            raise FormatError(f"{where}: does not end with le=\"+Inf\"")
        if any(b[i][0] >= b[i + 1][0] for i in range(len(b) - 1)):
            raise FormatError(f"{where}: le bounds not increasing")
        if any(b[i][1] > b[i + 1][1] for i in range(len(b) - 1)):
            raise FormatError(f"{where}: buckets not cumulative")
        if h["count"] is None or h["sum"] is None:
            raise FormatError(f"{where}: _sum or _count missing")
        if b[-1][1] != h["count"]:
            raise FormatError(f"{where}: +Inf bucket {b[-1][1]} != _count {h['count']}")
    return exp
