-- The worker's tables move out of the app's schema into their own, places,
-- so that an ORM managing public (prisma migrate, drizzle-kit push) never
-- sees them; and JWT callers get authors of the worker's own, keyed by the
-- token's sub, instead of rows made in the app's users table.
--
-- A v1 database (places in public) keeps every place, its id, author and
-- times: the table is moved, not copied.  `placesctl migrate` applies this
-- file for the pg preset with the default names; with another preset or
-- renamed tables it writes the same layout itself (placesctl migrate
-- --print shows it).  The worker's role finds places.places as "places"
-- when the role is named places too ("$user" comes first in search_path).

CREATE SCHEMA IF NOT EXISTS places;

-- JWT callers whose sub names no users row: the same sub is the same
-- author whatever the email; the email is what the API shows as author.
CREATE TABLE places.authors
(
  sub TEXT NOT NULL,
  email TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),

  PRIMARY KEY (sub)
);

ALTER TABLE public.places SET SCHEMA places;

-- An author is an app user (author_id, its type the users' id type) or a
-- JWT author (author_sub), never both; author_key says which in one text
-- value ('u:' || id, 's:' || sub), the one column ownership compares.
ALTER TABLE places.places
  ALTER COLUMN author_id DROP NOT NULL,
  ADD COLUMN author_sub TEXT REFERENCES places.authors (sub) ON DELETE CASCADE ON UPDATE CASCADE,
  ADD COLUMN author_key TEXT NOT NULL GENERATED ALWAYS AS (COALESCE('u:' || author_id::text, 's:' || author_sub)) STORED,
  ADD CONSTRAINT places_one_author CHECK (num_nonnulls(author_id, author_sub) = 1);

DROP INDEX places.places_author_created_idx;
CREATE INDEX places_author_created_idx ON places.places (author_key, created_at DESC, id DESC);
