-- mttx vendor store, schema version 1 (PRAGMA user_version = 1).
-- Migrations are append-only: a later version adds a file, never edits this one.

-- One row per configured vendor that has ever been synced.
CREATE TABLE vendor (
    name            TEXT PRIMARY KEY NOT NULL,  -- the config's name: the vendor in every report
    url             TEXT NOT NULL,              -- the status page's base URL
    platform        TEXT NOT NULL,              -- statuspage (incident.io pages speak it too)
    page_json       TEXT,                       -- the page object as last received
    page_name       TEXT,                       -- what the page calls itself
    time_zone       TEXT,                       -- the page's time zone
    has_history     INTEGER,                    -- 1: history index walked; 0: incidents.json only
    last_sync_at    TEXT,                       -- RFC 3339 UTC, the last sync that ended
    last_success_at TEXT,                       -- the last sync that ended without an error
    last_error      TEXT                        -- the last sync's error, NULL when it succeeded
) STRICT;

-- One row per (vendor, incident): the newest version received, verbatim.
CREATE TABLE incident (
    vendor     TEXT NOT NULL REFERENCES vendor(name) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    status     TEXT,                            -- investigating .. resolved, postmortem, completed
    final      INTEGER NOT NULL,                -- 1: resolved; never fetched again
    updated_at TEXT,                            -- the incident's own updated_at
    started_at TEXT,                            -- for ordering and the summary's oldest incident
    raw        TEXT NOT NULL CHECK (length(raw) > 0),  -- the incident object as received
    format     INTEGER NOT NULL,                -- layout of raw: 1 = Statuspage API v2 incident
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (vendor, id)
) STRICT;
