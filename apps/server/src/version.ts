/** Reported by /api/v1/health's OpenAPI info and to agents; bumped with each release. */
export const SERVER_VERSION = '0.1.0';
