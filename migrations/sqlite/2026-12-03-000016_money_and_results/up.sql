-- Money and results (API.md section 8).
--
-- A transaction's amount is stored as an integer count of its currency's minor units
-- (IDR 1250000.00 is 125000000, JPY 1500 is 1500, KWD 1.250 is 1250): exact on both
-- backends, which share no decimal column type (SQLite has none), summed by the database with
-- integer arithmetic, and an 18-digit amount fits a BIGINT. The API writes it as a decimal
-- string with as many decimals as the currency has (domain::money).
CREATE TABLE transactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    action_plan_id BIGINT NOT NULL REFERENCES action_plans (id) ON DELETE RESTRICT,
    kind TEXT NOT NULL CHECK (kind IN ('budget', 'commitment', 'disbursement', 'expenditure', 'in_kind')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    value_date DATE NOT NULL,
    party_region_id BIGINT REFERENCES regions (id) ON DELETE RESTRICT,
    funding_source TEXT CHECK (funding_source IN ('regional_budget', 'national_budget', 'partner', 'private', 'other')),
    reference TEXT,
    description TEXT,
    source TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- A plan's transactions in date order; an agreement's finance reads its plans' rows by this.
CREATE INDEX transactions_action_plan_id_idx ON transactions (action_plan_id, value_date);
CREATE INDEX transactions_party_region_id_idx ON transactions (party_region_id);
CREATE INDEX transactions_kind_idx ON transactions (kind);
CREATE INDEX transactions_currency_idx ON transactions (currency);
CREATE INDEX transactions_value_date_idx ON transactions (value_date);

-- An indicator's values keep the decimal as written ("85.5", "1200"), as text: they are never
-- summed, only compared to compute progress, in decimal arithmetic (never floating point).
CREATE TABLE indicators (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    action_plan_id BIGINT NOT NULL REFERENCES action_plans (id) ON DELETE RESTRICT,
    title TEXT NOT NULL,
    measure TEXT NOT NULL CHECK (measure IN ('number', 'percentage', 'qualitative')),
    unit TEXT,
    ascending BOOLEAN NOT NULL DEFAULT TRUE,
    baseline_value TEXT,
    baseline_year INTEGER,
    target_value TEXT,
    target_year INTEGER,
    actual_value TEXT,
    actual_on DATE,
    notes TEXT,
    source TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (measure <> 'qualitative' OR (baseline_value IS NULL AND target_value IS NULL AND actual_value IS NULL))
);
CREATE INDEX indicators_action_plan_id_idx ON indicators (action_plan_id);
CREATE INDEX indicators_measure_idx ON indicators (measure);
CREATE INDEX indicators_title_idx ON indicators (title);

-- The language of an agreement's local texts (and its plans'), a BCP 47 tag: what the IATI
-- export marks them with (xml:lang).
ALTER TABLE agreements ADD COLUMN local_language TEXT;
