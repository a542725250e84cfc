-- The group commit's guard against answering "not stored" for a row that is
-- stored after all.  The server gives a parent 503 when a batch's deadline
-- passes; the statement may still be waiting in PostgreSQL (for a lock, a
-- slow disk) and commit later, after its client has gone.  The batch calls
-- this once its rows are inserted: past the budget the server was given
-- (a little less than the time its caller still waits), the statement fails
-- and rolls back instead of committing what the parent was told to resend.
-- The clock starts with the transaction, not the statement: a batch is one
-- implicit transaction, begun when its Parse message arrives, while
-- statement_timestamp() starts again at Execute, after a lock wait in
-- parse analysis.  budget_ms NULL: no limit.  rows is only there to make
-- the call wait for the insert; it is returned unchanged.
CREATE FUNCTION hl_commit_within(budget_ms integer, rows bigint)
RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF budget_ms IS NOT NULL
       AND clock_timestamp() - transaction_timestamp() > budget_ms * interval '1 millisecond' THEN
        RAISE EXCEPTION 'commit deadline passed'
            USING ERRCODE = 'query_canceled',
                  DETAIL = format('the statement ran past its budget of %s ms', budget_ms);
    END IF;
    RETURN rows;
END
$$;
