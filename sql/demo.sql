-- Demo data for `make run`; never applied by the migration command.
-- Idempotent: run it twice and nothing is duplicated.
INSERT INTO users (name, email)
SELECT 'Demo User', 'demo@example.com'
WHERE NOT EXISTS (SELECT 1 FROM users WHERE email = 'demo@example.com');

INSERT INTO places.places (name, location, image, "mapURL", description, author_id)
SELECT v.name, v.location, v.image, v.map_url, v.description, u.id
FROM (VALUES
  ('Eiffel Tower', 'Paris, France',
   'https://upload.wikimedia.org/wikipedia/commons/a/a8/Tour_Eiffel_Wikimedia_Commons.jpg',
   'https://www.openstreetmap.org/?mlat=48.8584&mlon=2.2945',
   'Wrought-iron lattice tower on the Champ de Mars.'),
  ('Brandenburg Gate', 'Berlin, Germany', NULL,
   'https://www.openstreetmap.org/?mlat=52.5163&mlon=13.3777',
   '18th-century neoclassical monument.'),
  ('Sagrada Familia', 'Barcelona, Spain', NULL, NULL,
   'Basilica designed by Antoni Gaudi.')
) AS v (name, location, image, map_url, description)
CROSS JOIN (SELECT id FROM users WHERE email = 'demo@example.com') AS u
WHERE NOT EXISTS (SELECT 1 FROM places.places p WHERE p.name = v.name AND p.author_id = u.id);
