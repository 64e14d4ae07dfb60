-- How much of an agreement's signing date is known (API.md §9): a year-only fact is stored as
-- January 1 with precision `year`. Existing dates keep the default, `day`.
ALTER TABLE agreements ADD COLUMN signed_on_precision TEXT NOT NULL DEFAULT 'day'
    CHECK (signed_on_precision IN ('day', 'month', 'year'));
