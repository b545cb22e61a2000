/**
 * Reads the structure of a source tree for the architecture test: which file imports which (static,
 * type-only, dynamic and re-exports, relative specifiers only), how long each file is, and how long each
 * function is (TypeScript compiler API, so arrow functions and methods count too). The analysis functions
 * at the bottom are pure so the test can check them on small hand-made graphs.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface SourceFileFacts {
  /** Path relative to the scanned root, with forward slashes (e.g. "cli/commands/run.ts"). */
  readonly file: string;
  readonly lines: number;
  /** Relative paths (to the root) of imported files inside the root. */
  readonly imports: string[];
  readonly functions: Array<{ name: string; line: number; lines: number }>;
}

const SOURCE = /\.(ts|mts|mjs|js)$/;

function listSources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return listSources(full);
    return SOURCE.test(e.name) && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

function functionName(node: ts.Node): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name !== undefined && ts.isIdentifier(named.name)) return named.name.text;
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (parent !== undefined && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent !== undefined && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return '(anonymous)';
}

/** Reads one file's imports, line count and function lengths. */
export function readSourceFile(root: string, full: string): SourceFileFacts {
  const text = fs.readFileSync(full, 'utf8');
  const sf = ts.createSourceFile(full, text, ts.ScriptTarget.Latest, true);
  const imports: string[] = [];
  const functions: SourceFileFacts['functions'] = [];
  const lineOf = (pos: number): number => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const addSpecifier = (spec: string): void => {
    if (!spec.startsWith('.')) return;
    const target = path.resolve(path.dirname(full), spec);
    const rel = path.relative(root, target).split(path.sep).join('/');
    if (!rel.startsWith('..')) imports.push(rel);
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      addSpecifier(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] !== undefined && ts.isStringLiteral(node.arguments[0])) {
      addSpecifier(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      addSpecifier(node.argument.literal.text);
    }
    if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body !== undefined) {
      const start = lineOf(node.getStart(sf));
      functions.push({ name: functionName(node), line: start, lines: lineOf(node.getEnd()) - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  const lines = text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
  return { file: path.relative(root, full).split(path.sep).join('/'), lines, imports, functions };
}

/** Every source file under root. */
export function readSourceTree(root: string): SourceFileFacts[] {
  return listSources(root).sort().map((f) => readSourceFile(root, f));
}

/** The top folder of a file under the root ("cli/commands/run.ts" -> "cli"; a file at the root is "."). */
export function topFolder(file: string): string {
  const i = file.indexOf('/');
  return i < 0 ? '.' : file.slice(0, i);
}

/** Imports that reach into `folder` from a file outside it: "from -> to". */
export function importsInto(files: readonly SourceFileFacts[], folder: string): string[] {
  return files.flatMap((f) => topFolder(f.file) === folder ? [] : f.imports.filter((i) => topFolder(i) === folder).map((i) => `${f.file} -> ${i}`));
}

/** Folder-level edges, each with one file-level import that makes it (for the failure message). */
export function folderEdges(files: readonly SourceFileFacts[]): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  for (const f of files) {
    const from = topFolder(f.file);
    for (const i of f.imports) {
      const to = topFolder(i);
      if (to === from) continue;
      const out = edges.get(from) ?? new Map<string, string>();
      if (!out.has(to)) out.set(to, `${f.file} -> ${i}`);
      edges.set(from, out);
    }
  }
  return edges;
}

/** Strongly connected groups of more than one folder (Tarjan): each is an import cycle between folders. */
export function folderCycles(edges: ReadonlyMap<string, ReadonlyMap<string, string>>): string[][] {
  const nodes = new Set<string>([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])]);
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>(), groups: string[][] = [];
  let next = 0;
  const connect = (v: string): void => {
    index.set(v, next); low.set(v, next); next += 1; stack.push(v); onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) { connect(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); group.push(w); } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!index.has(v)) connect(v);
  return groups;
}
