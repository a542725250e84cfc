"""Three hailong instances against one PostgreSQL (docs/scaling.md), as
behind a load balancer: parents' answers spread over them are each stored
once, the three aggregation jobs (each instance runs one) take turns on
the advisory lock and count every response exactly once, and a report
from any instance shows the same figures."""

from harness import App, Server, parallel_parents, run_tests, wait_until


def main(tap, scratch):
    app = App(scratch, env={"HAILONG_AGGREGATE_INTERVAL": "300ms"})
    servers = [app.server] + [Server(scratch, app.url, env={"HAILONG_AGGREGATE_INTERVAL": "300ms"})
                              for _ in range(2)]
    tap.eq(len({s.port for s in servers}), 3, "three instances on three ports")
    code = app.code_of("hop-phu-huynh-nhanh")
    statuses = parallel_parents(lambda i: servers[i % 3], code, threads=6, each=30)
    tap.eq(statuses, [200] * 180, "180 parents spread over three instances: all thanked")
    stored = app.pg.psql(f"SELECT count(*) FROM response r JOIN campaign c ON c.id = r.campaign_id"
                         f" WHERE c.public_code = '{code}'")
    tap.eq(stored, "180", "180 responses stored, once each")
    tap.ok(wait_until(lambda: app.pg.psql("SELECT count(*) FROM response_batch_queue") == "0", 30),
           "the instances' aggregation jobs count them all")
    counted = app.pg.psql(
        "SELECT sum(t.responses) FROM tally_total t JOIN campaign c ON c.id = t.campaign_id"
        f" WHERE c.public_code = '{code}'")
    tap.eq(counted, "180", "and count each one once, though three jobs ran")
    runs = [sum(1 for line in s.lines if "counted" in line and "responses" in line)
            for s in servers]
    tap.diag(f"aggregation runs that counted something, per instance: {runs}")
    errors = [line for s in servers for line in s.lines if "level=error" in line]
    tap.eq(errors, [], "no instance logged an error")


run_tests(main)
