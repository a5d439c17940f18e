// NextAuth v4 options, shared by pages/api/auth/[...nextauth].js.
//
// NextAuth's session strategy is app-wide, so the example picks it with one
// variable, SESSION_STRATEGY:
//   database (default)  email (magic link) sign-in; sessions are rows in the
//                       PostgreSQL tables of @auth/pg-adapter, which the
//                       places-fcgi worker reads from the same database
//   jwt                 Credentials sign-in; the session is an encrypted JWT
//                       cookie that the worker decrypts with the same
//                       NEXTAUTH_SECRET
// Nothing here knows about places: the worker serves /api/places.
import EmailProvider from "next-auth/providers/email";
import CredentialsProvider from "next-auth/providers/credentials";
import PostgresAdapter from "@auth/pg-adapter";
import { Pool } from "pg";

const strategy = process.env.SESSION_STRATEGY || "database";
if (strategy !== "database" && strategy !== "jwt")
  throw new Error("SESSION_STRATEGY must be database or jwt");

// One pool per server process (module scope).
const pool =
  strategy === "database"
    ? new Pool({ connectionString: process.env.DATABASE_URL, max: 4 })
    : null;

// A stand-in for a real user store: any email with EXAMPLE_PASSWORD.  A
// real app checks a password hash of its own here.
async function authorize(credentials) {
  const email = String(credentials?.email ?? "").trim().toLowerCase();
  const password = String(credentials?.password ?? "");
  const expected = process.env.EXAMPLE_PASSWORD;
  if (!expected || password !== expected) return null;
  if (!/^[^\s@]{1,64}@[^\s@]{1,190}$/.test(email)) return null;
  // The worker keys its users on the JWT's email claim.
  return { id: email, email, name: email.split("@")[0] };
}

export const authOptions = {
  secret: process.env.NEXTAUTH_SECRET,
  session: { strategy },
  adapter: pool ? PostgresAdapter(pool) : undefined,
  providers:
    strategy === "database"
      ? [
          EmailProvider({
            server: process.env.EMAIL_SERVER,
            from: process.env.EMAIL_FROM ?? "places <places@localhost>",
          }),
        ]
      : [
          CredentialsProvider({
            name: "email and password",
            credentials: {
              email: { label: "Email", type: "email" },
              password: { label: "Password", type: "password" },
            },
            authorize,
          }),
        ],
};
