"""A small reader of .xlsx workbooks for the tests: a workbook is a zip of
XML, so Python's zipfile and xml.etree read it back without any of the
code that wrote it (cells by reference, with their type and number format).
Shared by tests/unit/check_xlsx.py and tests/integration/test_journey.py."""
import re
import xml.etree.ElementTree as ET
import zipfile

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
M = "{%s}" % NS["m"]


def col_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


class Workbook:
    def __init__(self, path):
        self.zip = zipfile.ZipFile(path)
        root = ET.fromstring(self.zip.read("xl/workbook.xml"))
        self.names = [s.get("name") for s in root.find("m:sheets", NS)]
        styles = ET.fromstring(self.zip.read("xl/styles.xml"))
        fmts = {n.get("numFmtId"): n.get("formatCode") for n in styles.iter(M + "numFmt")}
        self.xf_format = [fmts.get(x.get("numFmtId"), x.get("numFmtId"))
                          for x in styles.find("m:cellXfs", NS)]
        strings = []
        if "xl/sharedStrings.xml" in self.zip.namelist():
            for si in ET.fromstring(self.zip.read("xl/sharedStrings.xml")).iter(M + "si"):
                strings.append("".join(t.text or "" for t in si.iter(M + "t")))
        self.strings = strings

    def sheet_xml(self, name):
        return self.zip.read("xl/worksheets/sheet%d.xml" % (self.names.index(name) + 1))

    def rows(self, name):
        """{row number: {column index: (value, type, number format)}}"""
        out = {}
        for c in ET.fromstring(self.sheet_xml(name)).iter(M + "c"):
            ref, t = c.get("r"), c.get("t")
            row = int(re.search(r"\d+", ref).group(0))
            if t == "inlineStr":
                value = "".join(x.text or "" for x in c.iter(M + "t"))
            elif t == "s":
                value = self.strings[int(c.find("m:v", NS).text)]
            else:
                v = c.find("m:v", NS)
                value = float(v.text) if v is not None else None
            fmt = self.xf_format[int(c.get("s", "0"))]
            out.setdefault(row, {})[col_index(ref)] = (value, t, fmt)
        return out


def by_header(rows, header_row=1):
    return {v[0]: i for i, v in rows[header_row].items()}


def find_row(rows, col, value):
    for r, cells in sorted(rows.items()):
        if cells.get(col, (None,))[0] == value:
            return cells
    return None
