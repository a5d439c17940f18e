-- Places, owned by the user who created them.
--
-- ON DELETE CASCADE: NextAuth's adapter deletes a user with a plain
-- DELETE FROM users; RESTRICT would make that fail, so a deleted account
-- takes its places with it.
CREATE TABLE places
(
  id UUID NOT NULL DEFAULT gen_random_uuid(),
  name TEXT NOT NULL,
  location TEXT NOT NULL,
  image TEXT,
  "mapURL" TEXT,
  description TEXT,
  author_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),

  PRIMARY KEY (id)
);

-- The default list order (newest first, id breaks ties so pages are stable)
-- and the same order restricted to one author (?author=me).
CREATE INDEX places_created_idx ON places (created_at DESC, id DESC);
CREATE INDEX places_author_created_idx ON places (author_id, created_at DESC, id DESC);
