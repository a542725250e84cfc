"""The pictures of the guides: every image a Markdown file of the checkout
references exists and has alternative text; every file in docs/screenshots/
is referenced by a guide and refreshed by scripts/doc-screenshots.sh (and
the script copies nothing else); each is a PNG taken at 1× scale (at most
1280 px wide), so the checkout stays small.

    check_doc_images.py SOURCE_ROOT      (prints TAP)
"""
import glob
import os
import re
import struct
import sys

ROOT = os.path.abspath(sys.argv[1])
SHOTS = os.path.join(ROOT, "docs", "screenshots")
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
results = []


def check(name, ok, detail=""):
    results.append((name, bool(ok), detail))


def png_size(path):
    """(width, height) of a PNG, or None when the file is not one."""
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def main():
    docs = [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    referenced = set()
    for doc in docs:
        with open(doc, encoding="utf-8") as f:
            text = f.read()
        name = os.path.relpath(doc, ROOT)
        for alt, target in IMAGE.findall(text):
            if re.match(r"[a-z]+:", target):
                check(f"{name}: {target} is a file of the checkout, not a link", False)
                continue
            path = os.path.normpath(os.path.join(os.path.dirname(doc), target))
            referenced.add(path)
            check(f"{name}: {target} exists", os.path.isfile(path))
            check(f"{name}: {target} has alternative text", alt.strip())

    files = sorted(glob.glob(os.path.join(SHOTS, "*")))
    check("docs/screenshots/ holds pictures", files)
    with open(os.path.join(ROOT, "scripts", "doc-screenshots.sh"), encoding="utf-8") as f:
        script = f.read()
    listed = set(re.findall(r"^\s+([a-z0-9-]+\.png):[a-z-]+$", script, re.M))
    check("scripts/doc-screenshots.sh lists its pictures", listed, script[:400])
    for path in files:
        name = os.path.basename(path)
        check(f"docs/screenshots/{name} is referenced by a guide", path in referenced)
        check(f"docs/screenshots/{name} is refreshed by scripts/doc-screenshots.sh", name in listed)
        size = png_size(path)
        check(f"docs/screenshots/{name} is a PNG at 1× scale ({size})",
              size is not None and size[0] <= 1280)
        check(f"docs/screenshots/{name} is under 400 KB", os.path.getsize(path) <= 400 * 1024)
    for name in sorted(listed):
        check(f"scripts/doc-screenshots.sh: {name} is in docs/screenshots/",
              os.path.join(SHOTS, name) in files)


main()
for i, (name, ok, detail) in enumerate(results, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
    if not ok and detail:
        for line in str(detail).splitlines():
            print("# " + line)
print("1..%d" % len(results))
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
