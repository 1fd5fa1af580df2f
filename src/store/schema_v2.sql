-- Schema version 2: status pages' published uptime, kept day by day so its history grows
-- beyond the 90 days a home page shows.
CREATE TABLE published_component (
    vendor TEXT NOT NULL REFERENCES vendor(name) ON DELETE CASCADE,
    component TEXT NOT NULL,
    start_date TEXT,
    displayed_pct REAL,
    PRIMARY KEY (vendor, component)
);
CREATE TABLE published_day (
    vendor TEXT NOT NULL,
    component TEXT NOT NULL,
    date TEXT NOT NULL,
    major_s REAL NOT NULL,
    partial_s REAL NOT NULL,
    PRIMARY KEY (vendor, component, date),
    FOREIGN KEY (vendor, component) REFERENCES published_component(vendor, component) ON DELETE CASCADE
);
