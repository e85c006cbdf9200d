-- 0003: grain state for Orleans.Persistence.AdoNet (IGrainStorage).
--
-- One row per (service, grain type, grain id) holds the serialized state and an integer version that the
-- provider hands to the grain as its ETag. Every write or clear must name the version it last saw:
--   * no version (the grain never read a row) -> only the first writer can create the row, at version 1;
--   * version v                               -> succeeds only while the row is still at v, leaves v + 1.
-- A statement that does not succeed returns NULL, which the provider turns into an
-- InconsistentStateException. Clearing keeps the row with a NULL payload, so the version history goes
-- on; with AdoNetGrainStorageOptions.DeleteStateOnClear the row is deleted instead.
--
-- The provider identifies a grain by: its id as two 64-bit halves (GUID keys, or 0 and the integer key),
-- an optional string part (the key extension, or the whole key of string-keyed grains), the grain type
-- name, and hashes of the id and of the type. The hashes are redundant with the other columns; they lead
-- the unique key so that lookups narrow quickly.

CREATE TABLE orleans_grain_state
(
    service_id      text        NOT NULL,
    grain_type_hash integer     NOT NULL,
    grain_type      text        NOT NULL,
    grain_id_hash   integer     NOT NULL,
    grain_id_n0     bigint      NOT NULL,
    grain_id_n1     bigint      NOT NULL,
    grain_id_ext    text        NULL,
    payload         bytea       NULL,
    version         integer     NOT NULL,
    modified_at     timestamptz NOT NULL DEFAULT now(),
    -- NULLS NOT DISTINCT (PostgreSQL 15+): a grain without a string part still has at most one row.
    CONSTRAINT orleans_grain_state_identity UNIQUE NULLS NOT DISTINCT
        (grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1, grain_type, grain_id_ext)
);

-- Stores p_payload for one grain if p_expected_version is the row's current version (or, when NULL, if
-- the grain has no row yet). Returns the new version, or NULL when the caller's version is stale.
CREATE FUNCTION orleans_grain_state_write(
    p_grain_id_hash    integer,
    p_grain_id_n0      bigint,
    p_grain_id_n1      bigint,
    p_grain_type_hash  integer,
    p_grain_type       text,
    p_grain_id_ext     text,
    p_service_id       text,
    p_expected_version integer,
    p_payload          bytea)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    written integer;
BEGIN
    IF p_expected_version IS NULL THEN
        -- The unique key decides between grains racing to create the same row.
        INSERT INTO orleans_grain_state
            (service_id, grain_type_hash, grain_type, grain_id_hash, grain_id_n0, grain_id_n1,
             grain_id_ext, payload, version)
        VALUES
            (p_service_id, p_grain_type_hash, p_grain_type, p_grain_id_hash, p_grain_id_n0, p_grain_id_n1,
             p_grain_id_ext, p_payload, 1)
        ON CONFLICT ON CONSTRAINT orleans_grain_state_identity DO NOTHING
        RETURNING version INTO written;
    ELSE
        UPDATE orleans_grain_state
           SET payload = p_payload,
               version = version + 1,
               modified_at = now()
         WHERE grain_id_hash = p_grain_id_hash
           AND grain_type_hash = p_grain_type_hash
           AND service_id = p_service_id
           AND grain_id_n0 = p_grain_id_n0
           AND grain_id_n1 = p_grain_id_n1
           AND grain_type = p_grain_type
           AND grain_id_ext IS NOT DISTINCT FROM p_grain_id_ext
           AND version = p_expected_version
        RETURNING version INTO written;
    END IF;
    RETURN written;
END
$$;

-- Empties one grain's state (payload NULL) under the same version rule as orleans_grain_state_write.
-- Clearing a grain that has no row records an empty row at version 1. Returns the new version or NULL.
CREATE FUNCTION orleans_grain_state_clear(
    p_grain_id_hash    integer,
    p_grain_id_n0      bigint,
    p_grain_id_n1      bigint,
    p_grain_type_hash  integer,
    p_grain_type       text,
    p_grain_id_ext     text,
    p_service_id       text,
    p_expected_version integer)
RETURNS integer
LANGUAGE sql
AS $$
    SELECT orleans_grain_state_write(
        p_grain_id_hash, p_grain_id_n0, p_grain_id_n1, p_grain_type_hash, p_grain_type, p_grain_id_ext,
        p_service_id, p_expected_version, NULL::bytea);
$$;

-- Deletes one grain's row if it is still at p_expected_version. The provider treats a returned value
-- equal to the caller's version as a conflict, so success answers p_expected_version + 1; with no
-- expected version it succeeds (answering 0) only if there is no row. NULL means the caller is stale.
CREATE FUNCTION orleans_grain_state_delete(
    p_grain_id_hash    integer,
    p_grain_id_n0      bigint,
    p_grain_id_n1      bigint,
    p_grain_type_hash  integer,
    p_grain_type       text,
    p_grain_id_ext     text,
    p_service_id       text,
    p_expected_version integer)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    outcome integer;
BEGIN
    IF p_expected_version IS NULL THEN
        PERFORM 1
           FROM orleans_grain_state
          WHERE grain_id_hash = p_grain_id_hash
            AND grain_type_hash = p_grain_type_hash
            AND service_id = p_service_id
            AND grain_id_n0 = p_grain_id_n0
            AND grain_id_n1 = p_grain_id_n1
            AND grain_type = p_grain_type
            AND grain_id_ext IS NOT DISTINCT FROM p_grain_id_ext;
        RETURN CASE WHEN FOUND THEN NULL ELSE 0 END;
    END IF;

    DELETE FROM orleans_grain_state
     WHERE grain_id_hash = p_grain_id_hash
       AND grain_type_hash = p_grain_type_hash
       AND service_id = p_service_id
       AND grain_id_n0 = p_grain_id_n0
       AND grain_id_n1 = p_grain_id_n1
       AND grain_type = p_grain_type
       AND grain_id_ext IS NOT DISTINCT FROM p_grain_id_ext
       AND version = p_expected_version
    RETURNING version + 1 INTO outcome;
    RETURN outcome;
END
$$;

INSERT INTO orleansquery (querykey, querytext) VALUES
(
    -- The stored state and its version; no row when the grain was never written.
    'ReadFromStorageKey',
    'SELECT payload AS "PayloadBinary",
            version AS "Version"
       FROM orleans_grain_state
      WHERE grain_id_hash = @GrainIdHash
        AND grain_type_hash = @GrainTypeHash
        AND service_id = @ServiceId
        AND grain_id_n0 = @GrainIdN0
        AND grain_id_n1 = @GrainIdN1
        AND grain_type = @GrainTypeString
        AND grain_id_ext IS NOT DISTINCT FROM @GrainIdExtensionString'
),
(
    'WriteToStorageKey',
    'SELECT orleans_grain_state_write(
         p_grain_id_hash    => @GrainIdHash,
         p_grain_id_n0      => @GrainIdN0,
         p_grain_id_n1      => @GrainIdN1,
         p_grain_type_hash  => @GrainTypeHash,
         p_grain_type       => @GrainTypeString,
         p_grain_id_ext     => @GrainIdExtensionString,
         p_service_id       => @ServiceId,
         p_expected_version => @GrainStateVersion,
         p_payload          => @PayloadBinary) AS "NewGrainStateVersion"'
),
(
    'ClearStorageKey',
    'SELECT orleans_grain_state_clear(
         p_grain_id_hash    => @GrainIdHash,
         p_grain_id_n0      => @GrainIdN0,
         p_grain_id_n1      => @GrainIdN1,
         p_grain_type_hash  => @GrainTypeHash,
         p_grain_type       => @GrainTypeString,
         p_grain_id_ext     => @GrainIdExtensionString,
         p_service_id       => @ServiceId,
         p_expected_version => @GrainStateVersion) AS "NewGrainStateVersion"'
),
(
    -- Used instead of ClearStorageKey when the provider is configured with DeleteStateOnClear.
    'DeleteStorageKey',
    'SELECT orleans_grain_state_delete(
         p_grain_id_hash    => @GrainIdHash,
         p_grain_id_n0      => @GrainIdN0,
         p_grain_id_n1      => @GrainIdN1,
         p_grain_type_hash  => @GrainTypeHash,
         p_grain_type       => @GrainTypeString,
         p_grain_id_ext     => @GrainIdExtensionString,
         p_service_id       => @ServiceId,
         p_expected_version => @GrainStateVersion) AS "NewGrainStateVersion"'
);
