/** Shared by the profile tests: fixture paths and a throwaway output folder per test. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hotspot } from '../../src/profile/schema.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixtures = path.join(repoRoot, 'test/fixtures/profile');

export function tempDir(prefix = 'ph-profile-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A fresh output folder path (not created: runProfile creates it). */
export function outDir(): string {
  return path.join(tempDir(), 'out');
}

export function find(list: Hotspot[], fn: string): Hotspot | undefined {
  return list.find((h) => h.function === fn);
}
