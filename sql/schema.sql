-- The warehouse. Created idempotently at the start of every command that writes.
-- Report-side tables mirror the zod schemas of transforms/recordSchema.ts (test/schema.test.ts checks them).
--
-- Keys: each table's grain is its comment's first line. The tables that grow with the corpus (documents,
-- document_locations, fetches, reports, report_agencies, run_documents) declare no PRIMARY KEY: the writers
-- keep their keys unique themselves (in one transaction, a batch deletes the keys it rewrites or skips those
-- already there, then appends; the tests check every key after loads, reloads, reprocesses and resumed
-- runs). DuckDB rewrites every index of a table at every checkpoint, so an index per key made each batch
-- slower as the warehouse grew (at 100,000 rows, ~0.1 s a batch per index) and held the indexes in memory;
-- no query needs them (every lookup is a batch of keys, answered by a hash join). Small tables keep theirs.

-- One row per registry source: an agency and the list page of its annual-report column.
CREATE TABLE IF NOT EXISTS sources (
  source_id     VARCHAR PRIMARY KEY,   -- first 16 hex of sha256(url)
  agency        VARCHAR NOT NULL,
  url           VARCHAR NOT NULL,
  region_code   VARCHAR,
  region        VARCHAR,
  level         VARCHAR,
  department    VARCHAR,
  updated_at    TIMESTAMP NOT NULL
);

-- One row per distinct document body (content-addressed; the bytes live in data/raw/).
CREATE TABLE IF NOT EXISTS documents (
  document_sha256 VARCHAR NOT NULL,
  first_url       VARCHAR,              -- null for local files
  local_path      VARCHAR,              -- for documents read from disk
  content_type    VARCHAR,
  byte_size       BIGINT NOT NULL,
  archive_path    VARCHAR,              -- relative to the data directory, null when not archived
  first_seen_at   TIMESTAMP NOT NULL
);

-- One row per HTTP request the crawler made (conditional requests included).
CREATE TABLE IF NOT EXISTS fetches (
  fetch_id        VARCHAR NOT NULL,
  run_id          VARCHAR,
  source_id       VARCHAR,
  url             VARCHAR NOT NULL,
  final_url       VARCHAR,
  kind            VARCHAR NOT NULL,      -- robots | list | report | attachment
  http_status     INTEGER,
  outcome         VARCHAR NOT NULL,      -- fetched | not_modified | failed | blocked | disallowed
  detail          VARCHAR,
  document_sha256 VARCHAR,
  content_type    VARCHAR,
  etag            VARCHAR,
  last_modified   VARCHAR,
  headers_json    VARCHAR,
  fetched_at      TIMESTAMP NOT NULL,
  duration_ms     INTEGER
);

-- One row per extracted document: the report record's metadata and prose fields.
CREATE TABLE IF NOT EXISTS reports (
  report_id                VARCHAR NOT NULL,
  source                   VARCHAR NOT NULL,
  source_url               VARCHAR,
  document_sha256          VARCHAR NOT NULL,
  extractor_version        VARCHAR NOT NULL,
  extracted_at             TIMESTAMP NOT NULL,
  is_report                BOOLEAN NOT NULL,   -- false: not an annual report or unreadable (see issues)
  title                    VARCHAR,
  agency_name              VARCHAR,
  agency_name_source       VARCHAR,
  region_path              VARCHAR,
  report_year              INTEGER,
  report_year_source       VARCHAR,
  t2_layout                VARCHAR NOT NULL,
  t3_layout                VARCHAR NOT NULL,
  template_version         VARCHAR NOT NULL,
  publish_date             DATE,
  publish_date_source      VARCHAR,
  period_start             DATE,
  period_end               DATE,
  cited_notice             VARCHAR,
  contact_address          VARCHAR,
  contact_postcode         VARCHAR,
  contact_phone            VARCHAR,
  contact_fax              VARCHAR,
  contact_email            VARCHAR,
  contact_person           VARCHAR,
  contact_url              VARCHAR,
  truncated_tables         VARCHAR[] NOT NULL,
  -- What was read of tables 2, 3, 4: found | partial | absent, printed cells read, where a partial table
  -- stops, and the issue code saying why (t4_not_found, t3_truncated, …). 0 printed is not "not read".
  t2_status                VARCHAR NOT NULL,
  t2_printed_cells         INTEGER NOT NULL,
  t2_stops_after           VARCHAR,
  t2_reason                VARCHAR,
  t3_status                VARCHAR NOT NULL,
  t3_printed_cells         INTEGER NOT NULL,
  t3_stops_after           VARCHAR,
  t3_reason                VARCHAR,
  t4_status                VARCHAR NOT NULL,
  t4_printed_cells         INTEGER NOT NULL,
  t4_stops_after           VARCHAR,
  t4_reason                VARCHAR,
  document_format          VARCHAR NOT NULL,
  proactive_items_total    DOUBLE,
  applications_received    DOUBLE,
  no_applications_statement VARCHAR,
  no_review_litigation_statement VARCHAR,
  stated_admin_reviews     DOUBLE,           -- counts stated in the prose (status prose), never table cells
  stated_lawsuits          DOUBLE,
  stated_documents_issued  DOUBLE,
  info_fee_status          VARCHAR NOT NULL,
  info_fee_amount_yuan     DOUBLE,
  info_fee_text            VARCHAR
);

-- One row per canonical cell (long form), with provenance back to the printed grid. One row per
-- (report_id, cell_id): the loader replaces a report's rows whole. No key index on this and the other
-- per-report tables: at national scale it would hold tens of millions of entries in memory and slow
-- every append, and no query needs it (pipelines/load.ts).
CREATE TABLE IF NOT EXISTS cells (
  report_id   VARCHAR NOT NULL,
  cell_id     VARCHAR NOT NULL,      -- canonical id of spec/templates.md §7, e.g. t3.new_received.total
  table_name  VARCHAR NOT NULL,      -- t2 | t3 | t4
  row_id      VARCHAR NOT NULL,      -- e.g. new_received, licensing, admin_review
  column_id   VARCHAR NOT NULL,      -- e.g. total, decisions, upheld
  value       DOUBLE,
  status      VARCHAR NOT NULL,      -- reported | blank | derived | imputed_zero | unparsed | ocr | ocr_corrected
  raw_text    VARCHAR NOT NULL,
  grid_table  INTEGER,               -- null for derived cells
  grid_row    INTEGER,
  grid_col    INTEGER,
  confidence  DOUBLE                 -- OCR confidence 0-100 of a value read from an image; null for a text layer
);

-- Arithmetic rules (H1–H5 hard, S-5/S-6 soft) evaluated on each report.
CREATE TABLE IF NOT EXISTS checks (
  report_id VARCHAR NOT NULL,
  seq       INTEGER NOT NULL,
  rule      VARCHAR NOT NULL,
  scope     VARCHAR NOT NULL,
  severity  VARCHAR NOT NULL,
  passed    BOOLEAN NOT NULL,
  detail    VARCHAR NOT NULL
);

-- Problems found while reading a document (errors, warnings, notes).
CREATE TABLE IF NOT EXISTS issues (
  report_id VARCHAR NOT NULL,
  seq       INTEGER NOT NULL,
  code      VARCHAR NOT NULL,
  severity  VARCHAR NOT NULL,
  message   VARCHAR NOT NULL
);

-- Counts stated in the prose (主动公开信息 37 条 …): not table cells.
CREATE TABLE IF NOT EXISTS prose_counts (
  report_id VARCHAR NOT NULL,
  seq       INTEGER NOT NULL,
  channel   VARCHAR NOT NULL,
  count     DOUBLE NOT NULL,
  unit      VARCHAR NOT NULL,
  approx    BOOLEAN NOT NULL,
  text      VARCHAR NOT NULL
);

-- One row per pipeline run (crawl, load, run, demo, reprocess).
CREATE TABLE IF NOT EXISTS runs (
  run_id       VARCHAR PRIMARY KEY,
  command      VARCHAR NOT NULL,
  started_at   TIMESTAMP NOT NULL,
  finished_at  TIMESTAMP,
  status       VARCHAR NOT NULL,     -- running | finished | failed
  discovered   INTEGER NOT NULL DEFAULT 0,
  fetched      INTEGER NOT NULL DEFAULT 0,
  unchanged    INTEGER NOT NULL DEFAULT 0,
  extracted    INTEGER NOT NULL DEFAULT 0,
  failed       INTEGER NOT NULL DEFAULT 0,
  blocked      INTEGER NOT NULL DEFAULT 0,
  detail       VARCHAR
);

-- Per-document outcome of a run: what happened to each document or URL.
CREATE TABLE IF NOT EXISTS run_documents (
  run_id          VARCHAR NOT NULL,
  url             VARCHAR NOT NULL,
  document_sha256 VARCHAR,
  report_id       VARCHAR,
  outcome         VARCHAR NOT NULL,  -- extracted | unchanged | rejected | failed | blocked | skipped
  detail          VARCHAR
);

-- One row per report: the agency that published it, resolved from the report's name, title and contact
-- address, the crawl's registry row and the division dataset (transforms/agencyIdentity.ts). Written by
-- the loader at every load, so it always follows the current reports and resolution rules.
CREATE TABLE IF NOT EXISTS report_agencies (
  report_id        VARCHAR NOT NULL,
  agency_id        VARCHAR NOT NULL,
  canonical_name   VARCHAR NOT NULL,
  name_as_printed  VARCHAR,
  division_code    VARCHAR,
  province         VARCHAR,
  prefecture       VARCHAR,
  county           VARCHAR,
  township         VARCHAR,
  level            VARCHAR,
  kind             VARCHAR NOT NULL,
  department_type  VARCHAR,
  resolution       VARCHAR NOT NULL,
  evidence         VARCHAR,
  candidate_codes  VARCHAR[] NOT NULL,
  division_dataset VARCHAR NOT NULL
);

-- One row per place a document body was read from: every URL the crawler fetched it at and every local
-- file `load` read it from (documents keeps only the first).
CREATE TABLE IF NOT EXISTS document_locations (
  document_sha256 VARCHAR NOT NULL,
  location        VARCHAR NOT NULL,
  kind            VARCHAR NOT NULL,   -- url | file
  first_seen_at   TIMESTAMP NOT NULL
);
