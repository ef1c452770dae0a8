import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const flatc = spawnSync('flatc', ['--version']).status === 0;
const ci = process.env.CI === 'true';

describe('the generated FlatBuffers code', () => {
  // CI installs flatc (.ci/run), so there a missing one is a broken setup, not a reason to skip.
  // Elsewhere the check needs Debian's flatbuffers-compiler and is skipped without it.
  it.skipIf(!flatc && !ci)('is what src/codec/mutation.fbs generates', () => {
    if (!flatc) {
      expect.fail(
        "flatc is not on PATH under CI: install Debian's flatbuffers-compiler (apt-get install flatbuffers-compiler), as .ci/run does",
      );
    }
    const out = mkdtempSync(join(tmpdir(), 'acs-codegen-'));
    execFileSync('flatc', ['--ts', '--ts-flat-files', '-o', out, 'src/codec/mutation.fbs']);
    const fresh = readFileSync(join(out, 'mutation_generated.ts'), 'utf8');
    const committed = readFileSync('src/codec/generated/mutation_generated.ts', 'utf8');
    expect(committed).toBe(fresh);
  });
});
