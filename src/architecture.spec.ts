import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The module rules of docs/ARCHITECTURE.md, checked on the source text: each module is the only
 * code that touches its tables, `common/` depends on no feature module, and the access rules
 * depend on nothing of records/ but its entity types.
 */

const SRC = dirname(fileURLToPath(import.meta.url));

/** Files that must name every entity: the entity list of the DataSource and the migrations. */
const MAY_IMPORT_ANY_ENTITY = [/^database\/entities\.ts$/, /^database\/migrations\//];

/** Modules that own no table and depend on no feature module. */
const FOUNDATION = ['common'];

interface SourceFile {
  /** Path below src/, with forward slashes. */
  path: string;
  /** The first folder below src/: the module the file belongs to. */
  module: string;
  text: string;
}

interface Import {
  /** Path below src/ of the imported file (.ts), or the package name. */
  target: string;
  /** False for `import type { ... }` and for imports whose every name is marked `type`. */
  isValue: boolean;
}

function sourceFiles(dir = SRC): SourceFile[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    if (!entry.name.endsWith('.ts') || entry.name.endsWith('.spec.ts')) return [];
    const path = relative(SRC, full).split(sep).join('/');
    return [{ path, module: path.includes('/') ? path.split('/')[0] : '', text: readFileSync(full, 'utf8') }];
  });
}

function importsOf(file: SourceFile): Import[] {
  const found: Import[] = [];
  for (const match of file.text.matchAll(/^import\s+(type\s+)?([\s\S]*?)\s+from\s+'([^']+)';/gm)) {
    const [, typeOnly, clause, specifier] = match;
    const names =
      /\{([\s\S]*)\}/
        .exec(clause)?.[1]
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean) ?? [];
    const hasDefaultOrNamespace =
      clause
        .replace(/\{[\s\S]*\}/, '')
        .replace(/,/g, '')
        .trim() !== '';
    const isValue = !typeOnly && (hasDefaultOrNamespace || names.some((name) => !name.startsWith('type ')));
    const target = specifier.startsWith('.')
      ? relative(SRC, resolve(SRC, dirname(file.path), specifier))
          .split(sep)
          .join('/')
          .replace(/\.js$/, '.ts')
      : specifier;
    found.push({ target, isValue });
  }
  return found;
}

const files = sourceFiles();
const moduleOf = (path: string) => (path.includes('/') ? path.split('/')[0] : '');

/** Entity class name → owning module, from every `*.entity.ts` under a module's entities/ folder. */
const entityOwners = new Map<string, string>();
for (const file of files.filter((candidate) => /\/entities\/[^/]+\.entity\.ts$/.test(candidate.path))) {
  for (const match of file.text.matchAll(/^export class (\w+)/gm)) entityOwners.set(match[1], file.module);
}

describe('architecture', () => {
  it('finds the source and its entities (the checks below would pass vacuously otherwise)', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(entityOwners.get('CrmFile')).toBe('files');
    expect(entityOwners.get('HistoryEvent')).toBe('history');
    expect(entityOwners.get('Contact')).toBe('records');
  });

  it("no file imports an entity class from another module's entities/ folder", () => {
    const offences = files.flatMap((file) => {
      if (MAY_IMPORT_ANY_ENTITY.some((allowed) => allowed.test(file.path))) return [];
      return importsOf(file)
        .filter(
          (imported) =>
            imported.isValue && /\/entities\/[^/]+\.entity\.ts$/.test(imported.target) && moduleOf(imported.target) !== file.module,
        )
        .map((imported) => `${file.path} imports ${imported.target}`);
    });
    expect(offences).toEqual([]);
  });

  it("getRepository(X), createQueryBuilder(X, ...) and into(X) name only the module's own entities", () => {
    const offences = files.flatMap((file) =>
      [...file.text.matchAll(/(?:getRepository(?:<[^>]*>)?|createQueryBuilder|\.into)\((\w+)/g)]
        .filter(([, name]) => entityOwners.has(name) && entityOwners.get(name) !== file.module)
        .map(([call]) => `${file.path}: ${call}`),
    );
    expect(offences).toEqual([]);
  });

  it('only the database module and the readiness check hold the whole DataSource', () => {
    const holders = files.filter((file) => /@InjectDataSource\(\)/.test(file.text)).map((file) => file.path);
    expect(holders.sort()).toEqual([
      'database/database-pool.ts',
      'database/statement-batches.ts',
      'database/transactions.ts',
      'health/health.controller.ts',
    ]);
  });

  it('common/ imports no feature module', () => {
    const offences = files
      .filter((file) => FOUNDATION.includes(file.module))
      .flatMap((file) =>
        importsOf(file)
          .filter((imported) => imported.target.endsWith('.ts') && !FOUNDATION.includes(moduleOf(imported.target)))
          .map((imported) => `${file.path} imports ${imported.target}`),
      );
    expect(offences).toEqual([]);
  });

  it('the access rules import nothing of records/ but its entity types (no cycle with the services that use them)', () => {
    const offences = files
      .filter((file) => file.path.startsWith('records/access/'))
      .flatMap((file) =>
        importsOf(file)
          .filter(
            (imported) =>
              imported.target.startsWith('records/') &&
              !imported.target.startsWith('records/access/') &&
              !imported.target.startsWith('records/entities/'),
          )
          .map((imported) => `${file.path} imports ${imported.target}`),
      );
    expect(offences).toEqual([]);
  });
});
