"""Published results (issue 7, point 10): a round that closes is frozen, once
every response stored before the close is counted, as the exact bytes of its
report document with their SHA-256; reports of that round serve the
published figures byte for byte; responses counted later (a paper sheet keyed
after the close) appear as a labelled amendment in every output and never
replace the published figures; the snapshot is taken once, also by several
aggregation runs at once; a round closed without responses is published
too.  Reports over a whole period keep using the tallies as they are now."""
import csv
import datetime
import hashlib
import io
import json
import os
import re
import shutil
import subprocess

from harness import (BINARY, Server, database_with_units, form_token, run_cli, run_tests,
                     wait_until)
from test_reports import FORM_V2, expected, store, xlsx_rows
from test_rounds import PASSWORD, api, csrf_of, make_token, post_form, sign_in

ORG = ("code,name,kind,parent_code,school_level\n"
       "P1,Tỉnh Một,province,,\n"
       "S1,Trường Một,school,P1,thcs\n"
       "S2,Trường Hai,school,P1,thcs\n")
TITLE = 'Đợt <i>một</i> & "A"'
# Stored before the close: c1, c2 (1-5, -1 không ý kiến), c3, c4 (yes/no),
# chung (1-5), gopy (text).
BEFORE = [([5, 4, 2, 1, 5, 1], ["Tốt <b>lắm</b>"]), ([4, 4, 2, 1, 4, 0], None),
          ([3, -1, 1, 2, 3, 0], None), ([5, 5, 2, 1, 5, 0], None),
          ([2, 3, 2, 2, 2, 0], None), ([4, 5, 2, 1, 4, 0], None)]
# Keyed on paper after the close, in the entry form's field order.
LATE = [["1", "1", "1", "2", "1"], ["2", "0", "1", "2", "2"]]


def vn_time(days):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=7, days=days)
    return t.strftime("%Y-%m-%d %H:%M")


def stored(pg, round_id):
    """The snapshot row: document bytes, sha256, responses, taken_at."""
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d",
                          pg.conninfo, "-c",
                          "SELECT document FROM report_snapshot WHERE campaign_id = "
                          f"{round_id}"], capture_output=True, timeout=60)
    doc = out.stdout.rstrip(b"\n")
    row = pg.psql("SELECT sha256, responses, taken_at FROM report_snapshot"
                  f" WHERE campaign_id = {round_id}").split("|")
    return doc, row[0], int(row[1]), row[2]


def key_sheet(server, cookie, code, slip, values):
    """One paper sheet through the staff entry form."""
    page = server.get(f"/staff/rounds/{code}/entry", headers={"Cookie": cookie}).text
    names = re.findall(r'<input id="(q\d+)" name="q\d+"', page)
    fields = {"csrf": csrf_of(page), "t": form_token(page), "slip": slip}
    fields.update(dict(zip(names, values)))
    return post_form(server, f"/staff/rounds/{code}/entry", cookie, fields)


def as_answers(values):
    """The answers a keyed sheet stores: "0" is không ý kiến, the text blank."""
    return [-1 if v == "0" else int(v) for v in values] + [0]


def main(tap, scratch):
    pg, env = database_with_units(tap, scratch, ORG)
    form_dir = os.path.join(scratch.path, "forms")
    os.makedirs(form_dir)
    shutil.copy(FORM_V2, form_dir)
    tap.eq(run_cli(["forms", "load", form_dir], env=env).returncode, 0, "test form loaded")
    version = int(pg.psql("SELECT id FROM questionnaire_version WHERE form_id = 'kiem-thu-bao-cao'"))
    tap.eq(run_cli(["user", "add", "--org", "S1", "--role", "staff", "--login", "gv.s1"],
                   env=env, stdin=PASSWORD + "\n").returncode, 0, "a staff account at S1")
    staff = make_token(env, "S1", "staff")
    viewer = make_token(env, "S1", "viewer")
    province = make_token(env, "P1", "viewer")
    other = make_token(env, "S2", "viewer")
    server = Server(scratch, pg.conninfo, env={"HAILONG_AGGREGATE_INTERVAL": "200ms"})

    # A round open now, with slips for the paper questionnaires.
    r = api(server, "POST", "/api/v1/campaigns", staff,
            {"unit": "S1", "form": "kiem-thu-bao-cao", "title": TITLE, "opens": vn_time(-2),
             "closes": vn_time(30), "mode": "both"})
    tap.eq(r.status, 201, "a round at S1")
    code = r.json()["code"]
    round_id = int(pg.psql(f"SELECT id FROM campaign WHERE public_code = '{code}'"))
    r = api(server, "POST", f"/api/v1/campaigns/{code}/slips", staff, {"count": 4, "batch": 1})
    slips = api(server, "GET", f"/api/v1/campaigns/{code}/slips?batch=1", staff).json()["slips"]
    tap.eq(len(slips), 4, "four slips printed on the paper questionnaires")
    store(pg, round_id, version, BEFORE, datetime.date.today().isoformat())
    r = api(server, "GET", f"/api/v1/campaigns/{code}/snapshot", viewer)
    tap.ok(r.status == 409 and r.json()["error"]["code"] == "conflict",
           "an open round has no published result: 409", r.text)
    r = api(server, "GET", f"/api/v1/reports/S1?campaign={code}", viewer)
    tap.ok(r.status == 200 and r.json()["publication"] is None,
           "its report is the figures now, publication null", r.text[:300])

    # Closed early: published once its responses are counted.
    tap.eq(api(server, "POST", f"/api/v1/campaigns/{code}/close", staff).status, 200,
           "the round is closed early")
    tap.ok(wait_until(lambda: pg.psql("SELECT count(*) FROM report_snapshot WHERE campaign_id = "
                                      f"{round_id}") == "1", 30),
           "the aggregation job takes the snapshot", server.log_text()[-2000:])
    document, sha, responses, taken_at = stored(pg, round_id)
    tap.eq(sha, hashlib.sha256(document).hexdigest(), "sha256 is the SHA-256 of the stored bytes")
    tap.eq(responses, 6, "six responses published")
    doc = json.loads(document)
    tap.eq(doc["rounds"]["responses"], 6, "the document counts the six")
    tap.eq(doc["uncounted"], 0, "nothing of the round was left uncounted")
    q = doc["questionnaires"][0]
    form_hash = pg.psql(f"SELECT content_hash FROM questionnaire_version WHERE id = {version}")
    tap.eq((q["form"]["id"], q["form"]["edition"], q["form"]["version"], q["form"]["hash"]),
           ("kiem-thu-bao-cao", "1", version, form_hash),
           "the questionnaire version is inside: id, edition, version, content hash")
    tap.eq((q["method"]["index"], q["method"]["headline"], q["method"]["interval"]),
           ("mean-of-criteria", "index", "wilson-95"), "and the method")
    before = expected([a for a, _ in BEFORE])
    items = {i["id"]: i for i in q["items"]}
    tap.eq((items["c1"]["rate"]["satisfied"], items["c1"]["rate"]["valid"]),
           (before["items"]["c1"]["satisfied"], before["items"]["c1"]["valid"]),
           "c1's published numerator and denominator")
    tap.eq(doc["scope"]["ancestors"], [], "seen from the round's own unit: nothing above it")

    r = api(server, "GET", f"/api/v1/campaigns/{code}/snapshot", viewer)
    tap.ok(r.status == 200 and r.body == document, "GET …/snapshot returns the stored bytes",
           r.text[:200])
    tap.eq(r.header("X-Content-SHA256"), hashlib.sha256(r.body).hexdigest(),
           "X-Content-SHA256 is the SHA-256 of the body")
    tap.eq(r.header("X-Content-SHA256"), sha, "and the stored one")
    tap.eq(api(server, "GET", f"/api/v1/campaigns/{code.lower()}/snapshot", viewer).body, document,
           "the code in any case")
    tap.eq(api(server, "GET", f"/api/v1/campaigns/{code}/snapshot", other).status, 404,
           "another school's viewer: 404")
    tap.eq(api(server, "GET", "/api/v1/campaigns/ZZZZZZ/snapshot", viewer).status, 404,
           "an unknown round: 404")

    prefix = document[:-1] + b',"publication":{'
    r = api(server, "GET", f"/api/v1/reports/S1?campaign={code}", viewer)
    tap.ok(r.status == 200 and r.body.startswith(prefix),
           "the round's report is the published bytes, then the publication member",
           r.body[:200])
    pub = r.json()["publication"]
    tap.eq(pub, {"taken_at": pub["taken_at"], "responses": 6, "sha256": sha, "amendment": None},
           "publication: taken_at, responses, sha256, no amendment")
    tap.ok(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", pub["taken_at"]),
           "taken_at in Việt Nam time", pub["taken_at"])
    r = api(server, "GET", f"/api/v1/reports/P1?campaign={code}", province)
    tap.ok(r.status == 200 and r.body.startswith(prefix),
           "asked through the province: the same published document", r.body[:200])
    cli = run_cli(["report", "S1", "--campaign", code, "--format", "json"], env=env)
    api_body = api(server, "GET", f"/api/v1/reports/S1?campaign={code}", viewer).body
    tap.eq(cli.stdout.encode(), api_body, "the command line prints the same bytes as the API")
    r = api(server, "GET", "/api/v1/reports/S1", viewer)
    tap.ok(r.status == 200 and r.json()["publication"] is None,
           "a report over a period is not a publication", r.text[:200])

    # After publication: the title edited, two paper sheets keyed late.
    r = api(server, "PATCH", f"/api/v1/campaigns/{code}", staff, {"title": "Đợt đã sửa tên"})
    tap.eq(r.status, 200, "the round's title is edited after publication")
    cookie = sign_in(server, "gv.s1")
    for slip, values in zip(slips, LATE):
        r = key_sheet(server, cookie, code, slip, values)
        tap.ok(r.status == 200 and "Đã lưu phiếu" in r.text,
               "a paper sheet keyed after the close is stored", r.text[-400:])

    def amended():
        """The report once both late sheets are counted (they may be
        counted by two runs of the job)."""
        res = api(server, "GET", f"/api/v1/reports/S1?campaign={code}", viewer)
        a = res.json()["publication"]["amendment"] if res.status == 200 else None
        return res if a and a["responses"] == 8 else None
    r = wait_until(amended, 30)
    tap.ok(r, "the late sheets are counted and shown as an amendment")
    tap.ok(r and r.body.startswith(prefix), "the published figures are unchanged, byte for byte")
    report = r.json() if r else {}
    amendment = report.get("publication", {}).get("amendment") or {}
    tap.eq((amendment.get("late_responses"), amendment.get("responses")), (2, 8),
           "the amendment: 2 responses counted after publication, 8 now")
    tap.eq(report["questionnaires"][0]["responses"], 6, "the published questionnaire still counts 6")
    tap.eq(report["scope"]["campaign"]["title"], TITLE, "and keeps the published title")
    now = expected([a for a, _ in BEFORE] + [as_answers(v) for v in LATE])
    items = {i["id"]: i for i in amendment["questionnaires"][0]["items"]}
    tap.eq((items["c1"]["rate"]["satisfied"], items["c1"]["rate"]["valid"]),
           (now["items"]["c1"]["satisfied"], now["items"]["c1"]["valid"]),
           "the amendment's c1 counts all eight")
    tap.eq(amendment["questionnaires"][0]["responses"], 8, "the amendment's questionnaire: 8")
    document2, sha2, responses2, taken_at2 = stored(pg, round_id)
    tap.eq((document2, sha2, responses2, taken_at2), (document, sha, responses, taken_at),
           "the snapshot row is not retaken")
    tap.eq(api(server, "GET", f"/api/v1/campaigns/{code}/snapshot", viewer).body, document,
           "…/snapshot still returns the published bytes")
    out = run_cli(["aggregate"], env=env)
    tap.ok(out.returncode == 0 and "published" not in out.stdout,
           "another aggregation publishes nothing new", out.stdout + out.stderr)
    tap.eq(pg.psql(f"SELECT count(*) FROM report_snapshot WHERE campaign_id = {round_id}"), "1",
           "one snapshot for the round")
    r = api(server, "GET", "/api/v1/reports/S1", viewer)
    tap.eq(r.json()["rounds"]["responses"], 8, "the period's report counts everything now")

    exports(tap, server, viewer, code, cookie)
    zero_responses(tap, pg, env, server, viewer, version)
    concurrent(tap, pg, env, server, version)


def exports(tap, server, viewer, code, cookie):
    """CSV, XLSX, the page and the notice sheet show the amendment apart."""
    r = api(server, "GET", f"/api/v1/reports/S1?campaign={code}&format=csv", viewer)
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"), newline="")))
    header = rows[0]
    table = [dict(zip(header, row)) for row in rows[1:] if len(row) == len(header)]
    published = [t for t in table if t["Mã công bố"] == "published"]
    amended = [t for t in table if t["Mã công bố"] == "amendment"]
    tap.ok(r.status == 200 and published and len(published) == len(amended),
           f"CSV: {len(published)} published rows, then as many amendment rows", r.text[:300])
    tap.ok(all(t["Công bố"] == "Số liệu đã công bố" and t["Số phiếu"] == "6" and
               t["Số phiếu tính sau khi công bố"] == "" for t in published),
           "published rows: labelled, 6 responses")
    tap.ok(all(t["Công bố"] == "Bổ sung sau khi công bố" and t["Số phiếu"] == "8" and
               t["Số phiếu tính sau khi công bố"] == "2" for t in amended),
           "amendment rows: labelled, 8 responses, 2 of them late")
    tap.ok(table.index(amended[0]) > table.index(published[-1]),
           "the amendment comes after the published figures")

    page = server.get(f"/staff/reports/S1?campaign={code}", headers={"Cookie": cookie}).text
    tap.ok("Kết quả đã công bố" in page and "Mã kiểm tra SHA-256" in page,
           "the page says the figures are the published ones", page[:500])
    tap.ok("<h2>Bổ sung sau khi công bố</h2>" in page and
           "<strong>2 phiếu</strong> được tính sau khi kết quả được công bố" in page,
           "the page has the amendment section with the late count")
    tap.ok(page.index("<h2>Bổ sung sau khi công bố</h2>") > page.index("Tiêu chí một"),
           "after the published figures")
    tap.ok("Đợt &lt;i&gt;một&lt;/i&gt; &amp; &quot;A&quot;" in page and "<i>một</i>" not in page,
           "the published title, escaped")
    tap.ok("Đợt đã sửa tên" not in page, "the later edit does not change the published page")
    notice = server.get(f"/staff/reports/S1?campaign={code}&format=notice",
                        headers={"Cookie": cookie}).text
    tap.ok("Kết quả công bố lúc" in notice and "Bổ sung sau khi công bố:</strong> 2 phiếu" in notice,
           "the notice sheet shows the amendment under the published figures")
    r = api(server, "GET", f"/api/v1/reports/S1?campaign={code}&format=xlsx", viewer)
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"hailong-snapshot-{os.getpid()}.xlsx")
    with open(path, "wb") as f:
        f.write(r.body)
    try:
        _, summary = xlsx_rows(path, "Tổng hợp")
        _, criteria = xlsx_rows(path, "Tiêu chí")
    finally:
        os.unlink(path)
    cells = [c for row in summary for c in row if c]
    tap.ok("Bổ sung sau khi công bố" in cells and "Số liệu đã công bố" in cells,
           "XLSX summary: the publication and the amendment")
    tap.ok(any("amendment" in row for row in criteria) and any("published" in row for row in criteria),
           "XLSX criteria sheet: published and amendment rows")


def zero_responses(tap, pg, env, server, viewer, version):
    """A round that closes without a response is published with none."""
    round_id = int(pg.psql(
        "INSERT INTO campaign (public_code, org_unit_id, version_id, title, opens_at, closes_at)"
        f" VALUES ('ZZZZZ2', (SELECT id FROM org_unit WHERE code = 'S1'), {version}, 'Đợt trống',"
        " now() - interval '10 days', now() - interval '1 day') RETURNING id"))
    tap.ok(wait_until(lambda: pg.psql("SELECT count(*) FROM report_snapshot WHERE campaign_id = "
                                      f"{round_id}") == "1", 30),
           "a round closed without responses is published")
    document, sha, responses, _ = stored(pg, round_id)
    doc = json.loads(document)
    tap.ok(responses == 0 and doc["rounds"]["responses"] == 0 and doc["questionnaires"] == [],
           "with no response and no figures", document[:300])
    tap.eq(sha, hashlib.sha256(document).hexdigest(), "its SHA-256")
    pg.psql("INSERT INTO response (campaign_id, version_id, submission_id, content_hash, answers,"
            " source, receipt, submitted_minute) VALUES"
            f" ({round_id}, {version}, gen_random_uuid(), sha256('late'::bytea),"
            " ARRAY[5,5,2,1,5,0]::smallint[], 'paper', 'R', date_trunc('minute', now()))")

    def amended():
        res = api(server, "GET", "/api/v1/reports/S1?campaign=ZZZZZ2", viewer)
        return res if res.status == 200 and res.json()["publication"]["amendment"] else None
    r = wait_until(amended, 30)
    a = r.json()["publication"]["amendment"] if r else {}
    tap.ok(r and r.body.startswith(document[:-1] + b',"publication":{') and
           a["late_responses"] == 1 and a["responses"] == 1 and
           a["questionnaires"][0]["suppressed"] is True,
           "one late response: an amendment of one, hidden below k; the published bytes stay",
           r.text[:300] if r else "")
    out = run_cli(["report", "S1", "--campaign", "ZZZZZ2", "--format", "html"], env=env)
    tap.ok(out.returncode == 0 and "Chưa có phản hồi nào" in out.stdout and
           "<h2>Bổ sung sau khi công bố</h2>" in out.stdout and
           "Bổ sung sau khi công bố — Phiếu kiểm thử báo cáo" in out.stdout,
           "the page: nothing published, then the amendment's questionnaire", out.stderr)


def concurrent(tap, pg, env, server, version):
    """Without the server: a closed round is not published while its
    responses wait to be counted; then several rounds close at once and two
    command-line runs race to publish them: one snapshot each, no errors."""
    server.signal(15)
    tap.eq(server.wait(), 0, "the server stops (its job no longer runs)")
    late = int(pg.psql(
        "INSERT INTO campaign (public_code, org_unit_id, version_id, title, opens_at, closes_at)"
        f" VALUES ('XXXXX2', (SELECT id FROM org_unit WHERE code = 'S2'), {version}, 'Đợt X',"
        " now() - interval '5 days', now() - interval '1 day') RETURNING id"))
    store(pg, late, version, BEFORE[:3], datetime.date.today().isoformat())
    out = run_cli(["snapshot"], env=env)
    tap.ok(out.returncode == 0 and out.stdout == "0 closed rounds published\n" and
           pg.psql(f"SELECT count(*) FROM report_snapshot WHERE campaign_id = {late}") == "0",
           "a closed round whose responses are still queued is not published",
           out.stdout + out.stderr)
    out = run_cli(["aggregate", "--publish", "no"], env=env)
    tap.ok(out.returncode == 0 and out.stdout == "3 responses counted\n" and
           pg.psql(f"SELECT count(*) FROM report_snapshot WHERE campaign_id = {late}") == "0",
           "aggregate --publish no counts and publishes nothing", out.stdout + out.stderr)
    out = run_cli(["aggregate"], env=env)
    tap.eq(out.stdout, "0 responses counted\n1 closed rounds published\n",
           "the next run publishes it")
    tap.eq(pg.psql(f"SELECT responses FROM report_snapshot WHERE campaign_id = {late}"), "3",
           "with all three responses")

    ids = []
    for i in range(6):
        ids.append(int(pg.psql(
            "INSERT INTO campaign (public_code, org_unit_id, version_id, title, opens_at, closes_at)"
            f" VALUES ('YYYYY{i + 2}', (SELECT id FROM org_unit WHERE code = 'S2'), {version},"
            f" 'Đợt {i}', now() - interval '5 days', now() - interval '1 minute') RETURNING id")))
        store(pg, ids[-1], version, BEFORE[:i + 1], datetime.date.today().isoformat())
    runs = [subprocess.Popen([BINARY, "aggregate"], env={"DATABASE_URL": pg.conninfo},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in runs]
    tap.ok(all(p.returncode == 0 for p in runs) and all(err == "" for _, err in outs),
           "two aggregation runs at once succeed without errors", outs)
    published = sum(int(m) for out, _ in outs
                    for m in re.findall(r"^(\d+) closed rounds published$", out, re.M))
    tap.eq(published, 6, "between them they publish the six rounds once")
    where = f"campaign_id IN ({','.join(map(str, ids))})"
    tap.eq(pg.psql(f"SELECT count(*), count(DISTINCT campaign_id) FROM report_snapshot"
                   f" WHERE {where}"), "6|6", "one snapshot each")
    tap.eq(pg.psql(f"SELECT string_agg(responses::text, ',' ORDER BY campaign_id)"
                   f" FROM report_snapshot WHERE {where}"), "1,2,3,4,5,6",
           "each with all its responses counted")
    tap.ok(pg.psql("SELECT bool_and(sha256 = encode(sha256(convert_to(document, 'UTF8')), 'hex'))"
                   " FROM report_snapshot") == "t", "every stored SHA-256 matches its bytes")
    log = server.log_text()
    tap.ok("not taken" not in log and "level=error" not in log,
           "the server's job logged no failure", log[-1500:])


if __name__ == "__main__":
    run_tests(main)
