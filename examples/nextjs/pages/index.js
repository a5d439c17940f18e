// The one page: the places list, a form to add one, edit and delete for
// the author.  All place work goes through /api/places in the browser
// (lib/places.js), answered by the places-fcgi worker; Next.js serves this
// page and NextAuth's /api/auth/* only.
import { useCallback, useEffect, useState } from "react";
import { signIn, signOut, useSession } from "next-auth/react";
import {
  createPlace,
  deletePlace,
  listPlaces,
  problem,
  updatePlace,
} from "../lib/places";

const FIELDS = [
  ["name", "Name", true],
  ["location", "Location", true],
  ["image", "Image URL", false],
  ["mapURL", "Map URL", false],
  ["description", "Description", false],
];
const EMPTY = Object.fromEntries(FIELDS.map(([f]) => [f, ""]));

// The API's fields from the form's strings: an empty optional one is null.
function toPlace(values) {
  const place = {};
  for (const [f, , required] of FIELDS)
    place[f] = values[f] === "" && !required ? null : values[f];
  return place;
}

function PlaceForm({ id, initial, submitLabel, onSubmit, onCancel }) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);

  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    const fieldErrors = await onSubmit(toPlace(values));
    setBusy(false);
    setErrors(fieldErrors ?? {});
    // null: created or saved; an object: the 422's fields; undefined:
    // another failure, shown on the page's message line.
    if (fieldErrors === null && !onCancel) setValues(EMPTY);
  }

  return (
    <form id={id} className="place-form" onSubmit={submit} noValidate>
      {FIELDS.map(([f, label, required]) => (
        <label key={f}>
          <span>
            {label}
            {required ? " *" : ""}
          </span>
          {f === "description" ? (
            <textarea
              name={f}
              value={values[f]}
              onChange={(e) => setValues({ ...values, [f]: e.target.value })}
            />
          ) : (
            <input
              name={f}
              value={values[f]}
              onChange={(e) => setValues({ ...values, [f]: e.target.value })}
            />
          )}
          {errors[f] && (
            <em className="field-error" data-field={f}>
              {errors[f]}
            </em>
          )}
        </label>
      ))}
      <div className="actions">
        <button type="submit" disabled={busy}>
          {submitLabel}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function Place({ place, mine, editing, onEdit, onSave, onCancel, onDelete }) {
  if (editing) {
    const initial = Object.fromEntries(
      FIELDS.map(([f]) => [f, place[f] ?? ""]),
    );
    return (
      <li className="place" data-id={place.id}>
        <PlaceForm
          id="edit-form"
          initial={initial}
          submitLabel="Save"
          onSubmit={(p) => onSave(place.id, p)}
          onCancel={onCancel}
        />
      </li>
    );
  }
  return (
    <li className="place" data-id={place.id} data-author={place.author ?? ""}>
      <h3>{place.name}</h3>
      <p className="location">{place.location}</p>
      {place.description && <p>{place.description}</p>}
      <p className="meta">
        by <span className="author">{place.author ?? "unknown"}</span>
        {place.mapURL && (
          <>
            {" · "}
            <a href={place.mapURL} rel="noreferrer">
              map
            </a>
          </>
        )}
      </p>
      {mine && (
        <div className="actions">
          <button type="button" className="edit" onClick={onEdit}>
            Edit
          </button>
          <button type="button" className="delete" onClick={onDelete}>
            Delete
          </button>
        </div>
      )}
    </li>
  );
}

export default function Home() {
  const { data: session, status: sessionStatus } = useSession();
  const [places, setPlaces] = useState(null);
  const [listStatus, setListStatus] = useState(null);
  const [message, setMessage] = useState(null);
  const [editing, setEditing] = useState(null);
  const email = session?.user?.email ?? null;

  const reload = useCallback(async () => {
    const res = await listPlaces();
    setListStatus(res.status);
    if (res.status === 200) {
      setPlaces(res.body);
    } else {
      setPlaces(null);
      setMessage(problem(res));
    }
    return res.status;
  }, []);

  // Every answer but a success goes to the message line; a 422 goes to the
  // form's fields as well (returned to PlaceForm).
  const settle = useCallback(
    async (res, okStatus) => {
      if (res.status === okStatus) {
        setMessage(null);
        setEditing(null);
        await reload();
        return null;
      }
      setMessage(problem(res));
      if (res.status === 401) {
        setPlaces(null);
        setListStatus(401);
      }
      return res.status === 422 ? (res.body?.errors ?? {}) : undefined;
    },
    [reload],
  );

  const add = (p) => createPlace(p).then((r) => settle(r, 201));
  const save = (id, p) => updatePlace(id, p).then((r) => settle(r, 200));
  const remove = useCallback(
    (id) => deletePlace(id).then((r) => settle(r, 200).then(() => r.status)),
    [settle],
  );

  useEffect(() => {
    if (sessionStatus !== "loading") reload();
  }, [sessionStatus, reload]);

  // For the console (and the browser test): the page's own delete, with
  // its error handling, on any id.
  useEffect(() => {
    window.places = { remove, reload };
    return () => delete window.places;
  }, [remove, reload]);

  const signedOut = listStatus === 401 || sessionStatus === "unauthenticated";

  return (
    <main>
      <header>
        <h1>Places</h1>
        <div id="account">
          {email ? (
            <>
              <span id="signed-in-as">{email}</span>
              <button type="button" id="sign-out" onClick={() => signOut()}>
                Sign out
              </button>
            </>
          ) : (
            <button type="button" id="sign-in" onClick={() => signIn()}>
              Sign in
            </button>
          )}
        </div>
      </header>

      {message && (
        <p id="message" role="alert" data-status={listStatus ?? ""}>
          {message}
          {signedOut && (
            <>
              {" "}
              <a
                href="/api/auth/signin"
                onClick={(e) => {
                  e.preventDefault();
                  signIn();
                }}
              >
                sign in
              </a>
            </>
          )}
        </p>
      )}

      {places && (
        <>
          <section>
            <h2>Add a place</h2>
            <PlaceForm id="add-form" initial={EMPTY} submitLabel="Add" onSubmit={add} />
          </section>
          <section>
            <h2>
              All places <small id="count">({places.length})</small>
            </h2>
            <ul id="places">
              {places.map((p) => (
                <Place
                  key={p.id}
                  place={p}
                  mine={email !== null && p.author === email}
                  editing={editing === p.id}
                  onEdit={() => setEditing(p.id)}
                  onCancel={() => setEditing(null)}
                  onSave={save}
                  onDelete={() => remove(p.id)}
                />
              ))}
            </ul>
          </section>
        </>
      )}
    </main>
  );
}
