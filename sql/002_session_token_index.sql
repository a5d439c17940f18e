-- Every request resolves its token with
--   WHERE "sessionToken" = $1
-- so that lookup must be an index scan.  Unique, because one token names
-- one session (NextAuth generates them at random).
CREATE UNIQUE INDEX sessions_session_token_key ON sessions ("sessionToken");
