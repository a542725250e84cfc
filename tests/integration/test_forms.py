"""Questionnaires: the shipped ones validate, broken ones get precise errors,
loading stores immutable versions, and the server will not start on a bad one."""
import glob
import json
import os
import shutil
import subprocess

from harness import BINARY, SOURCE_ROOT, Postgres, Server, run_cli, run_tests

FORMS = os.path.join(SOURCE_ROOT, "forms")
BROKEN = os.path.join(SOURCE_ROOT, "tests", "forms", "broken")


def check_in(folder, name):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HAILONG_")}
    return subprocess.run([BINARY, "forms", "check", name], cwd=folder, capture_output=True,
                          text=True, timeout=30, env=clean)


def main(tap, scratch):
    shipped = sorted(n for n in os.listdir(FORMS) if n.endswith(".json") and n != "schema.json")
    out = run_cli(["forms", "check"])
    tap.eq(out.returncode, 0, "every shipped questionnaire validates")
    tap.eq(len(out.stdout.splitlines()), len(shipped), "each shipped file is reported ok")
    tap.ok(len(shipped) >= 8, f"{len(shipped)} questionnaires ship")

    cases = sorted(glob.glob(os.path.join(BROKEN, "*.json")))
    tap.ok(len(cases) >= 30, f"a corpus of {len(cases)} broken questionnaires")
    for path in cases:
        name = os.path.basename(path)
        expected_path = path[:-5] + ".err"
        out = check_in(BROKEN, name)
        lines = out.stderr.splitlines()
        problems = [l for l in lines if not l.startswith("hailong: ")]
        if not os.path.exists(expected_path):
            tap.ok(False, f"{name}: has an expected-error file")
            continue
        with open(expected_path, encoding="utf-8") as f:
            expected = f.read().splitlines()
        tap.ok(out.returncode == 1 and problems == expected,
               f"{name}: exit 1 with the expected error", "\n".join(
                   ["got:"] + problems + ["want:"] + expected))

    # Oversized, and a file that is not there.
    big = os.path.join(scratch.path, "big.json")
    with open(big, "wb") as f:
        f.write(b'{"items": ["' + b"x" * (50 * 1024 * 1024) + b'"]}')
    out = run_cli(["forms", "check", big])
    tap.ok(out.returncode == 1 and "big.json: the file is 52428815 bytes; a questionnaire may be "
           "at most 1048576 bytes" in out.stderr, "a 50 MB file is refused with the limit",
           out.stderr)
    out = run_cli(["forms", "check", os.path.join(scratch.path, "nope.json")])
    tap.ok(out.returncode == 1 and "nope.json: cannot read: No such file or directory"
           in out.stderr, "a missing file is named")
    out = run_cli(["forms", "frob"])
    tap.eq(out.returncode, 2, "an unknown forms action: exit 2")

    # Two files claiming one id and edition.
    twins = scratch.sub("twins")
    shutil.copy(os.path.join(FORMS, "hop-phu-huynh-nhanh.json"), os.path.join(twins, "a.json"))
    shutil.copy(os.path.join(FORMS, "hop-phu-huynh-nhanh.json"), os.path.join(twins, "b.json"))
    out = run_cli(["forms", "check", twins])
    tap.ok(out.returncode == 1 and 'b.json: id "hop-phu-huynh-nhanh" edition "2026" is also '
           "defined in" in out.stderr, "one id and edition in two files is refused", out.stderr)

    # Loading: one version per content.
    pg = Postgres(scratch)
    url = pg.conninfo
    tap.eq(run_cli(["migrate"], env={"DATABASE_URL": url}).returncode, 0, "migrated")
    out = run_cli(["forms", "load"], env={"DATABASE_URL": url})
    tap.ok(out.returncode == 0 and out.stdout.count("(new)") == len(shipped),
           "first load stores every questionnaire as a new version", out.stdout + out.stderr)
    out = run_cli(["forms", "load"], env={"DATABASE_URL": url})
    tap.ok(out.returncode == 0 and out.stdout.count("(unchanged)") == len(shipped),
           "loading the same files again stores nothing new", out.stdout + out.stderr)
    tap.eq(pg.psql("SELECT count(*) FROM questionnaire_version"), str(len(shipped)),
           "one version per file")
    tap.eq(pg.psql("SELECT count(*) FROM questionnaire_version v WHERE answer_count <> "
                   "(SELECT count(*) FROM questionnaire_item i WHERE i.version_id = v.id "
                   "AND answer_index IS NOT NULL)"), "0",
           "each version's items carry one answer slot per question")
    tap.eq(pg.psql("SELECT string_agg(item_id, ',' ORDER BY answer_index) FROM questionnaire_item i "
                   "JOIN questionnaire_version v ON v.id = i.version_id "
                   "WHERE v.form_id = 'hop-phu-huynh-nhanh' AND answer_index IS NOT NULL"),
           "E1.1,E1.2,E2.1,E2.2,E3.1,E3.2,E4.1,E4.2,E5.1,E5.2,overall,y-kien-khac",
           "answer slots follow document order")
    tap.eq(pg.psql("SELECT satisfied::text FROM questionnaire_item i JOIN questionnaire_version v "
                   "ON v.id = i.version_id WHERE v.form_id = 'papi-truong-tieu-hoc' AND "
                   "i.kind = 'criterion' ORDER BY answer_index LIMIT 1"), "{1}",
           "yes/no criteria store their satisfied answer")

    # Reformatting does not make a version; changing a word does.
    work = scratch.sub("forms")
    with open(os.path.join(FORMS, "hop-phu-huynh-nhanh.json"), encoding="utf-8") as f:
        doc = json.load(f)
    with open(os.path.join(work, "quick.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=7)
    out = run_cli(["forms", "load", work], env={"DATABASE_URL": url})
    tap.ok(out.returncode == 0 and "(unchanged)" in out.stdout,
           "the same questionnaire re-indented is the same version", out.stdout + out.stderr)
    first_id = pg.psql("SELECT version_id FROM questionnaire_current "
                       "WHERE form_id = 'hop-phu-huynh-nhanh'")
    doc["items"][0]["items"][0]["text"] = "Ông/Bà dễ dàng liên hệ với nhà trường"
    with open(os.path.join(work, "quick.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=2)
    out = run_cli(["forms", "load", work], env={"DATABASE_URL": url})
    tap.ok(out.returncode == 0 and "(new)" in out.stdout, "a changed questionnaire is a new "
           "version", out.stdout + out.stderr)
    tap.eq(pg.psql("SELECT count(*) FROM questionnaire_version WHERE form_id = 'hop-phu-huynh-nhanh'"),
           "2", "both versions are kept")
    second_id = pg.psql("SELECT version_id FROM questionnaire_current "
                        "WHERE form_id = 'hop-phu-huynh-nhanh'")
    tap.ok(second_id != first_id, "new rounds get the new version")
    tap.eq(pg.psql("SELECT count(DISTINCT text) FROM questionnaire_item WHERE item_id = 'E1.1' AND "
                   "version_id IN (%s, %s)" % (first_id, second_id)), "2",
           "versions compare by criterion id")
    out = run_cli(["forms", "load"], env={"DATABASE_URL": url})
    tap.ok("hop-phu-huynh-nhanh 2026: version %s (current again)" % first_id in out.stdout,
           "loading the old file again makes its version current again", out.stdout)
    bad = pg.psql("UPDATE questionnaire_version SET title = 'x'", check=False)
    res = subprocess.run(["psql", "-X", "-q", "-d", url, "-c",
                          "UPDATE questionnaire_item SET text = 'x'"], capture_output=True,
                         text=True, timeout=30)
    tap.ok(res.returncode != 0 and "immutable" in res.stderr, "stored versions cannot be changed",
           res.stderr)
    tap.eq(pg.psql("SELECT count(*) FROM questionnaire_version WHERE title = 'x'"), "0",
           "the attempted change left nothing")

    # A broken questionnaire keeps the server from starting, naming it.
    broken_dir = scratch.sub("broken-forms")
    shutil.copy(os.path.join(FORMS, "hop-phu-huynh-nhanh.json"), broken_dir)
    with open(os.path.join(broken_dir, "zz-bad.json"), "w", encoding="utf-8") as f:
        f.write('{"format": 1, "id": "x"')
    out = run_cli(["serve"], env={"DATABASE_URL": url, "HAILONG_FORMS_DIR": broken_dir,
                                  "HAILONG_LISTEN": "127.0.0.1:0"}, timeout=30)
    tap.ok(out.returncode == 1 and "zz-bad.json:1:24: malformed JSON: the file ends inside an object or array"
           in out.stderr and "not starting" in out.stderr,
           "serve refuses an invalid questionnaire and names it", out.stderr)
    out = run_cli(["forms", "load", broken_dir], env={"DATABASE_URL": url})
    tap.ok(out.returncode == 1 and "(new)" not in out.stdout and "(unchanged)" not in out.stdout,
           "load stores nothing when any file is invalid", out.stdout + out.stderr)
    server = Server(scratch, url)
    tap.eq(server.get("/healthz").status, 200, "serve starts with the shipped questionnaires")


run_tests(main)
