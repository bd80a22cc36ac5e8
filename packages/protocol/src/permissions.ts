import type { Role } from './common';

/** Every permission a REST route can require; roles are sets of them. The server enforces them, the console hides what a role cannot use. */
export const permissions = [
  'threats:read',
  'threats:write',
  'policy:read',
  'policy:write',
  'agents:read',
  'agents:write',
  'quarantine:read',
  'quarantine:write',
  'users:read',
  'users:write',
  'tokens:write',
  'audit:read',
  'webhooks:read',
  'webhooks:write',
] as const;
export type Permission = (typeof permissions)[number];

const viewer: Permission[] = ['threats:read', 'policy:read', 'agents:read', 'quarantine:read'];
const analyst: Permission[] = [...viewer, 'threats:write', 'policy:write'];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  viewer: new Set(viewer),
  analyst: new Set(analyst),
  admin: new Set(permissions),
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}
