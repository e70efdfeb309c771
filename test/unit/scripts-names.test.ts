import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SCRIPTS = join(import.meta.dirname, '..', '..', 'scripts');

/** "Cannot find name 'x'" and "Cannot find name 'x'. Did you mean 'y'?" */
const UNDEFINED_NAME = new Set([2304, 2552]);

describe('the scripts under scripts/', () => {
  // The bench, soak and build scripts are plain JavaScript that no type-check
  // reads: an import removed while another part still used it only showed
  // when that part ran (the bench's 50 MiB body lost `request`, and resetting
  // the peak RSS failed silently without `writeFileSync`).
  it('use no name that is not defined or imported', () => {
    const files = readdirSync(SCRIPTS)
      .filter((f) => f.endsWith('.mjs'))
      .map((f) => join(SCRIPTS, f));
    const program = ts.createProgram(files, {
      allowJs: true,
      checkJs: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: ['node'],
    });
    const undefinedNames = files.flatMap((f) =>
      program
        .getSemanticDiagnostics(program.getSourceFile(f))
        .filter((d) => UNDEFINED_NAME.has(d.code))
        .map((d) => {
          const { line } = d.file!.getLineAndCharacterOfPosition(d.start!);
          return `${d.file!.fileName.slice(SCRIPTS.length + 1)}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
        }),
    );
    expect(files.length).toBeGreaterThan(10);
    expect(undefinedNames).toEqual([]);
  });
});
