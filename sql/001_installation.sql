-- One row that names this installation.  Its id goes into exported reports so
-- that figures from two installations (a test copy and production, say) can
-- never be mixed up without anyone noticing.
CREATE TABLE installation (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    created_at timestamptz NOT NULL DEFAULT now(),
    singleton boolean NOT NULL DEFAULT true UNIQUE CHECK (singleton)
);

INSERT INTO installation DEFAULT VALUES;
