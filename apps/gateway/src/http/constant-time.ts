import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string | Buffer): Buffer => createHash('sha256').update(value).digest();

/**
 * Compares two secrets without leaking, through timing, how much of them matched:
 * both sides are hashed first so the lengths are equal, as timingSafeEqual requires.
 */
export function constantTimeEquals(given: string | Buffer, expected: string | Buffer): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
