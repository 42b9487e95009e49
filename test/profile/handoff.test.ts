/** A profile whose bottleneck sits in another specialist's territory says whom to hand off to. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProfile } from '../../src/profile/run.js';
import { loadSkills } from '../../src/skills/load.js';
import { tempDir } from './helpers.js';

/** An app whose CPU goes to a (fake, local) vector-store client package, or to its own code. */
function app(hotInDependency: boolean): string {
  const dir = tempDir();
  const pkg = path.join(dir, 'node_modules', '@qdrant', 'js-client-rest');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(path.join(pkg, 'package.json'), '{"name":"@qdrant/js-client-rest","main":"index.js"}\n');
  const busy = 'const end = Date.now() + ms; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1); return x;';
  writeFileSync(path.join(pkg, 'index.js'), `exports.search = function search(ms) { ${busy} };\n`);
  writeFileSync(
    path.join(dir, 'app.js'),
    `const { search } = require('@qdrant/js-client-rest');\n` +
      `function rankLocally(ms) { ${busy} }\n` +
      `for (let i = 0; i < 8; i++) ${hotInDependency ? 'search(100)' : 'rankLocally(100)'};\n`,
  );
  writeFileSync(path.join(dir, 'package.json'), '{"type":"commonjs"}\n');
  return dir;
}

describe('profile: handoff hint', () => {
  it('CPU in a vector-store client hands off to vector-specialist; CPU in our code stays', async () => {
    const { skills } = await loadSkills({});
    const run = (dir: string) =>
      runProfile({ command: process.execPath, args: ['app.js'], cwd: dir, durationSeconds: 20 }, { cwd: dir, outDir: path.join(dir, 'out'), skills });
    const dependency = await run(app(true));
    expect(dependency.bottleneck.kind).toBe('dependency');
    expect(dependency.handoff?.skill).toBe('vector-specialist');
    const own = await run(app(false));
    expect(own.handoff).toBeNull();
  });
});
