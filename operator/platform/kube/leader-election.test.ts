import { expect, test } from 'vitest';
import { decideLease } from './leader-election.js';

const now = new Date('2026-01-01T00:01:00Z');

test('lease decisions', () => {
  expect(decideLease(null, 'me', now)).toBe('create');
  expect(decideLease({ holder: 'me', renewTime: new Date(0), durationSeconds: 15 }, 'me', now)).toBe('renew');
  expect(decideLease({ holder: 'other', renewTime: new Date('2026-01-01T00:00:50Z'), durationSeconds: 15 }, 'me', now)).toBe('wait');
  expect(decideLease({ holder: 'other', renewTime: new Date('2026-01-01T00:00:40Z'), durationSeconds: 15 }, 'me', now)).toBe('acquire');
  expect(decideLease({ holder: undefined, renewTime: new Date('2026-01-01T00:00:59Z'), durationSeconds: 15 }, 'me', now)).toBe('acquire');
});
