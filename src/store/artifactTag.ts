import {createHmac, timingSafeEqual} from 'crypto';

/**
 * The `x-artifact-tag` of an artifact, as Turborepo computes it
 * (crates/turborepo-cache/src/signature_authentication.rs): HMAC-SHA256 keyed with the
 * signature key over the artifact's hash, then the team id, then the body; base64.
 */
export function artifactTag(secret: string, hash: string, team: string, body: Buffer): string {
  return createHmac('sha256', secret).update(hash).update(team).update(body).digest('base64');
}

/** True when `tag` is the artifact's tag under `secret` (compared in constant time). */
export function isValidTag(secret: string, hash: string, team: string, body: Buffer, tag: string | null): boolean {
  if (!tag) return false;
  const expected = Buffer.from(artifactTag(secret, hash, team, body));
  const given = Buffer.from(tag);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
