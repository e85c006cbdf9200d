-- 0002: cluster membership for Orleans.Clustering.AdoNet (silos and clients).
--
-- Each cluster (the provider calls its ClusterId "DeploymentId") owns one row in
-- orleans_membership_version and one row per silo incarnation (address, port, generation) in
-- orleans_membership. The version row is the table-wide optimistic lock of the Orleans membership
-- protocol: a silo reads the version together with the rows, and an insert or update succeeds only when
-- the version is still the one it read; a successful change then increments it. A statement whose
-- version check fails changes nothing and answers false, and Orleans re-reads and retries.
--
-- Status values are Orleans' SiloStatus: 3 = Active, 6 = Dead. Times are UTC (timestamptz).

CREATE TABLE orleans_membership_version
(
    deployment_id text        NOT NULL,
    version       integer     NOT NULL DEFAULT 0,
    changed_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orleans_membership_version_pk PRIMARY KEY (deployment_id)
);

CREATE TABLE orleans_membership
(
    deployment_id   text        NOT NULL,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL,
    proxy_port      integer     NOT NULL DEFAULT 0,
    -- Suspicion votes as Orleans formats them: "<silo>,<time>|<silo>,<time>"; NULL when there are none.
    suspect_times   text        NULL,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    CONSTRAINT orleans_membership_pk PRIMARY KEY (deployment_id, address, port, generation),
    -- Removing a cluster's version row (DeleteMembershipTableEntriesKey) removes its silos too.
    CONSTRAINT orleans_membership_version_fk FOREIGN KEY (deployment_id)
        REFERENCES orleans_membership_version (deployment_id) ON DELETE CASCADE
);

-- Clients look for active gateways of one cluster.
CREATE INDEX orleans_membership_by_status ON orleans_membership (deployment_id, status);

-- Adds a silo row if the cluster version is still p_expected_version and no row has that silo's
-- address, port and generation yet; then increments the version. True when the row was added.
CREATE FUNCTION orleans_membership_insert(
    p_deployment_id    text,
    p_address          text,
    p_port             integer,
    p_generation       integer,
    p_silo_name        text,
    p_host_name        text,
    p_status           integer,
    p_proxy_port       integer,
    p_start_time       timestamptz,
    p_i_am_alive_time  timestamptz,
    p_expected_version integer)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    -- Holding the version row for the rest of the transaction serialises competing writers; one that
    -- waited sees the incremented version afterwards and so finds no row here.
    PERFORM 1
      FROM orleans_membership_version
     WHERE deployment_id = p_deployment_id
       AND version = p_expected_version
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    INSERT INTO orleans_membership
        (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port,
         suspect_times, start_time, i_am_alive_time)
    VALUES
        (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status,
         coalesce(p_proxy_port, 0), NULL, p_start_time, p_i_am_alive_time)
    ON CONFLICT ON CONSTRAINT orleans_membership_pk DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership_version
       SET version = version + 1,
           changed_at = now()
     WHERE deployment_id = p_deployment_id;
    RETURN true;
END
$$;

-- Replaces status, suspicion votes and heartbeat of an existing silo row if the cluster version is
-- still p_expected_version; then increments the version. True when the row was changed.
CREATE FUNCTION orleans_membership_update(
    p_deployment_id    text,
    p_address          text,
    p_port             integer,
    p_generation       integer,
    p_status           integer,
    p_suspect_times    text,
    p_i_am_alive_time  timestamptz,
    p_expected_version integer)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM 1
      FROM orleans_membership_version
     WHERE deployment_id = p_deployment_id
       AND version = p_expected_version
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership
       SET status = p_status,
           suspect_times = p_suspect_times,
           i_am_alive_time = p_i_am_alive_time
     WHERE deployment_id = p_deployment_id
       AND address = p_address
       AND port = p_port
       AND generation = p_generation;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership_version
       SET version = version + 1,
           changed_at = now()
     WHERE deployment_id = p_deployment_id;
    RETURN true;
END
$$;

INSERT INTO orleansquery (querykey, querytext) VALUES
(
    -- Creates the cluster's version row (version 0) unless it exists. Answers whether it was created.
    'InsertMembershipVersionKey',
    'WITH created AS (
         INSERT INTO orleans_membership_version (deployment_id)
         VALUES (@DeploymentId)
         ON CONFLICT ON CONSTRAINT orleans_membership_version_pk DO NOTHING
         RETURNING 1)
     SELECT EXISTS (SELECT 1 FROM created)'
),
(
    'InsertMembershipKey',
    'SELECT orleans_membership_insert(
         p_deployment_id    => @DeploymentId,
         p_address          => @Address,
         p_port             => @Port,
         p_generation       => @Generation,
         p_silo_name        => @SiloName,
         p_host_name        => @HostName,
         p_status           => @Status,
         p_proxy_port       => @ProxyPort,
         p_start_time       => @StartTime,
         p_i_am_alive_time  => @IAmAliveTime,
         p_expected_version => @Version)'
),
(
    'UpdateMembershipKey',
    'SELECT orleans_membership_update(
         p_deployment_id    => @DeploymentId,
         p_address          => @Address,
         p_port             => @Port,
         p_generation       => @Generation,
         p_status           => @Status,
         p_suspect_times    => @SuspectTimes,
         p_i_am_alive_time  => @IAmAliveTime,
         p_expected_version => @Version)'
),
(
    -- Heartbeat: a blind write of one column, without a version check and without changing the version.
    'UpdateIAmAlivetimeKey',
    'UPDATE orleans_membership
        SET i_am_alive_time = @IAmAliveTime
      WHERE deployment_id = @DeploymentId
        AND address = @Address
        AND port = @Port
        AND generation = @Generation'
),
(
    -- One silo and the cluster version, read in one statement. The outer join yields a single row with
    -- NULL silo columns (and the version) when the silo has no row; Orleans relies on that row.
    'MembershipReadRowKey',
    'SELECT v.version         AS "Version",
            m.address         AS "Address",
            m.port            AS "Port",
            m.generation      AS "Generation",
            m.silo_name       AS "SiloName",
            m.host_name       AS "HostName",
            m.status          AS "Status",
            m.proxy_port      AS "ProxyPort",
            m.suspect_times   AS "SuspectTimes",
            m.start_time      AS "StartTime",
            m.i_am_alive_time AS "IAmAliveTime"
       FROM orleans_membership_version AS v
       LEFT JOIN orleans_membership AS m
              ON m.deployment_id = v.deployment_id
             AND m.address = @Address
             AND m.port = @Port
             AND m.generation = @Generation
      WHERE v.deployment_id = @DeploymentId'
),
(
    -- Every silo of the cluster and the cluster version; one all-NULL silo row when there are no silos.
    'MembershipReadAllKey',
    'SELECT v.version         AS "Version",
            m.address         AS "Address",
            m.port            AS "Port",
            m.generation      AS "Generation",
            m.silo_name       AS "SiloName",
            m.host_name       AS "HostName",
            m.status          AS "Status",
            m.proxy_port      AS "ProxyPort",
            m.suspect_times   AS "SuspectTimes",
            m.start_time      AS "StartTime",
            m.i_am_alive_time AS "IAmAliveTime"
       FROM orleans_membership_version AS v
       LEFT JOIN orleans_membership AS m
              ON m.deployment_id = v.deployment_id
      WHERE v.deployment_id = @DeploymentId'
),
(
    -- Gateways for clients: silos in the requested status (Orleans asks for Active) that accept clients.
    'GatewaysQueryKey',
    'SELECT address    AS "Address",
            proxy_port AS "ProxyPort",
            generation AS "Generation"
       FROM orleans_membership
      WHERE deployment_id = @DeploymentId
        AND status = @Status
        AND proxy_port > 0'
),
(
    -- Forgets a whole cluster: the version row, and with it (ON DELETE CASCADE) every silo row.
    'DeleteMembershipTableEntriesKey',
    'DELETE FROM orleans_membership_version
      WHERE deployment_id = @DeploymentId'
),
(
    -- Bulk clean-up: dead silos whose last heartbeat is older than the cut-off @IAmAliveTime.
    'CleanupDefunctSiloEntriesKey',
    'DELETE FROM orleans_membership
      WHERE deployment_id = @DeploymentId
        AND status = 6
        AND i_am_alive_time < @IAmAliveTime'
),
(
    -- Per-silo clean-up, preferred by Orleans 10.4 when present: it has already picked a dead, expired
    -- silo from a full read and passes that row's values back. The row goes only if it is still dead
    -- and has neither been restarted nor sent a heartbeat since it was read.
    -- (@SuspectTimes is passed as well; old votes about a dead silo do not matter here.)
    'CleanupDefunctSiloEntryKey',
    'DELETE FROM orleans_membership
      WHERE deployment_id = @DeploymentId
        AND address = @Address
        AND port = @Port
        AND generation = @Generation
        AND status = 6
        AND start_time = @StartTime
        AND i_am_alive_time <= @IAmAliveTime'
);
