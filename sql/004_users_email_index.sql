-- A JWT session names its user by email (lib/db.c, db_user_for_email:
--   WHERE email = $1), on every request: without an index that is a scan
-- of the whole users table (tests/plans, at 100,000 users).  Not unique:
-- NextAuth's schema does not make email unique, and an existing database
-- may hold duplicates.
CREATE INDEX users_email_idx ON users (email);
