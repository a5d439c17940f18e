/** @type {import('next').NextConfig} */
module.exports = {
  poweredByHeader: false,
  reactStrictMode: true,
  // This directory is the app's root (its own lock file), whatever a
  // parent directory holds.
  turbopack: { root: __dirname },
};
