import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const flatc = spawnSync('flatc', ['--version']).status === 0;

describe('the generated FlatBuffers code', () => {
  // CI installs flatc (.ci/run); elsewhere the test needs Debian's flatbuffers-compiler.
  it.skipIf(!flatc && process.env.CI !== 'true')('is what src/codec/mutation.fbs generates', () => {
    const out = mkdtempSync(join(tmpdir(), 'acs-codegen-'));
    execFileSync('flatc', ['--ts', '--ts-flat-files', '-o', out, 'src/codec/mutation.fbs']);
    const fresh = readFileSync(join(out, 'mutation_generated.ts'), 'utf8');
    const committed = readFileSync('src/codec/generated/mutation_generated.ts', 'utf8');
    expect(committed).toBe(fresh);
  });
});
