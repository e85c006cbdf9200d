-- 0001: the query store of the Orleans ADO.NET providers.
--
-- The Orleans ADO.NET providers (clustering, grain persistence, reminders) ship no SQL of their own.
-- When one starts it runs `SELECT QueryKey, QueryText FROM OrleansQuery` and from then on executes the
-- statement stored under each key it knows, binding its values as named parameters (@DeploymentId,
-- @GrainIdHash, ...) and reading result columns by name (case-insensitively). Scripts 0002-0004 add the
-- rows for each provider; the statements there may call the functions those scripts define.
--
-- The providers spell the table and its columns without quotes, so PostgreSQL folds them to lower case:
-- the table must be called orleansquery, with columns querykey and querytext.

CREATE TABLE orleansquery
(
    querykey  text NOT NULL,
    querytext text NOT NULL,
    CONSTRAINT orleansquery_pk PRIMARY KEY (querykey),
    CONSTRAINT orleansquery_key_not_blank CHECK (btrim(querykey) <> ''),
    CONSTRAINT orleansquery_text_not_blank CHECK (btrim(querytext) <> '')
);

COMMENT ON TABLE orleansquery IS
    'SQL statements of the Orleans ADO.NET providers, looked up by key at provider start-up (see schema scripts 0002-0004).';
