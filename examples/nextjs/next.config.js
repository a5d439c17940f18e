/** @type {import('next').NextConfig} */
module.exports = {
  poweredByHeader: false,
  reactStrictMode: true,
  // This directory is the project root (it has its own lock file).
  turbopack: { root: __dirname },
};
