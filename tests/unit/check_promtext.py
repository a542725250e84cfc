"""The strict exposition reader the /metrics tests rely on
(tests/integration/promtext.py) refuses what a scraper could misread: were
it lenient, the integration test of /metrics could pass on a broken
exposition.  Each bad text below must be refused, the good one read.

    check_promtext.py SOURCE_ROOT      (prints TAP)
"""
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "tests", "integration"))
from promtext import FormatError, parse  # noqa: E402

GOOD = ('# HELP c_total Things.\n# TYPE c_total counter\nc_total{a="x\\"y\\\\z\\n"} 3\n'
        '# TYPE h histogram\nh_bucket{le="0.5"} 1\nh_bucket{le="+Inf"} 2\nh_sum 0.7\n'
        'h_count 2\n# TYPE g gauge\ng -1.5e3\n')
BAD = {
    "a sample with no declared family": "x 1\n",
    "no final newline": "# TYPE c counter\nc 1",
    "a second TYPE": "# TYPE c counter\n# TYPE c counter\nc 1\n",
    "an unknown type": "# TYPE c countr\nc 1\n",
    "a family split in two": "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n",
    "a series twice": "# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n",
    "a bad escape": "# TYPE a gauge\na{x=\"\\t\"} 1\n",
    "a label twice": "# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n",
    "an unquoted label": "# TYPE a gauge\na{x=1} 1\n",
    "a negative counter": "# TYPE c counter\nc -1\n",
    "a bad number": "# TYPE a gauge\na 1,5\n",
    "a stray comment": "# just a note\n# TYPE a gauge\na 1\n",
    "HELP after samples": "# TYPE a gauge\na 1\n# HELP a late\n",
    "buckets not cumulative": "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
                              "h_sum 1\nh_count 1\n",
    "no +Inf bucket": "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",
    "+Inf not equal to _count": "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\n"
                                "h_count 3\n",
    "le not increasing": "# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\n"
                         "h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
    "a histogram without _sum": "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",
    "a bare histogram sample": "# TYPE h histogram\nh 1\n",
}

results = []
try:
    e = parse(GOOD)
    results.append((e.value("c_total", a='x"y\\z\n') == 3 and e.value("g") == -1500 and
                    e.value("h_count") == 2, "a valid exposition is read, escapes decoded"))
except FormatError as err:
    results.append((False, f"a valid exposition is read ({err})"))
for why, text in BAD.items():
    try:
        parse(text)
        results.append((False, f"refused: {why}"))
    except FormatError:
        results.append((True, f"refused: {why}"))
print(f"1..{len(results)}")
for i, (ok, what) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {what}")
sys.exit(0 if all(ok for ok, _ in results) else 1)
