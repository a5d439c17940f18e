// NextAuth's routes (/api/auth/*): the only API Next.js serves.
import NextAuth from "next-auth";
import { authOptions } from "../../../lib/auth";

export default NextAuth(authOptions);
