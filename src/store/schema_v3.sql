-- Schema version 3: incident tools' sources beside status pages, and each payload's own format.
-- A source's mapping settings (incident.io's timestamp names, Jira's field ids; never a token),
-- as JSON, so reports map the payloads as the last sync fetched them.
ALTER TABLE vendor ADD COLUMN settings TEXT;
-- What the row is: a status page ('vendor', `platform` names its platform) or an incident tool's
-- source ('source', `platform` names its tool). incident.io is both a status page platform and
-- an incident tool, so the platform's name alone cannot tell them apart.
ALTER TABLE vendor ADD COLUMN kind TEXT NOT NULL DEFAULT 'vendor' CHECK (kind IN ('vendor', 'source'));
-- Versions 1 and 2 stamped every payload 1 (Statuspage), whatever its platform: each row now
-- carries its platform's own tag (each platform's module in src/sources/).
UPDATE incident SET format = CASE (SELECT platform FROM vendor v WHERE v.name = incident.vendor)
    WHEN 'google-cloud' THEN 2
    WHEN 'aws' THEN 3
    WHEN 'slack' THEN 4
    WHEN 'betterstack' THEN 5
    WHEN 'atom' THEN 6
    ELSE 1
END;
