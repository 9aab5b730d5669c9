/**
 * `tilekit check <file.ts>`: static checks of a kernel file with the TypeScript compiler (ts-morph), for mistakes a
 * trace cannot see: it runs one path with concrete shapes, so a branch on tile data in a path it did not take, a
 * truthiness test of a tile (always true, no error at run time), an output never returned, affine iterations that
 * all write one region, Math.* or JavaScript operators on tiles, and loads whose tile is never used are found here.
 * Each finding is a KernelError with a TK10xx code at the offending line.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CallExpression,
  type Expression,
  type ForOfStatement,
  type FunctionDeclaration,
  Node,
  Project,
  type SourceFile,
  SyntaxKind,
  type Type,
  ts,
} from 'ts-morph';
import type { ErrorCode } from '../ir/error-codes.ts';
import { type DiagnosticNote, KernelError } from '../ir/errors.ts';
import type { SourceLoc } from '../ir/loc.ts';
import { displayPath } from '../tracer/location.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

type FunctionLike = Node & {
  getBody(): Node | undefined;
  getParameters(): { getNameNode(): Node; getTypeNode(): Node | undefined }[];
};

/** nl/nisa functions that do not return a tile. */
const NON_TILE = new Set([
  'ds',
  'programId',
  'numPrograms',
  'programNdim',
  'affineRange',
  'sequentialRange',
  'staticRange',
  'devicePrint',
  'isPsum',
  'isSbuf',
  'isHbm',
  'isOnChip',
  'randomSeed',
  'setRngSeed',
]);
/** Calls whose first argument is the region written (the destination). */
const DESTINATION_FIRST = new Set(['store', 'dmaCopy', 'atomicRmw']);
const ARITHMETIC = new Set([
  SyntaxKind.PlusToken,
  SyntaxKind.MinusToken,
  SyntaxKind.AsteriskToken,
  SyntaxKind.SlashToken,
  SyntaxKind.PercentToken,
  SyntaxKind.AsteriskAsteriskToken,
  SyntaxKind.LessThanToken,
  SyntaxKind.GreaterThanToken,
  SyntaxKind.LessThanEqualsToken,
  SyntaxKind.GreaterThanEqualsToken,
  SyntaxKind.AmpersandToken,
  SyntaxKind.BarToken,
  SyntaxKind.CaretToken,
  SyntaxKind.LessThanLessThanToken,
  SyntaxKind.GreaterThanGreaterThanToken,
]);
/** Loose equality converts an object operand (=== and !== compare references and are fine). */
const LOOSE_EQUALITY = new Set([SyntaxKind.EqualsEqualsToken, SyntaxKind.ExclamationEqualsToken]);

export interface CheckFileResult {
  /** The file as shown in diagnostics. */
  readonly file: string;
  /** Kernel functions found (`kernel(...)` calls). */
  readonly kernels: number;
  readonly diagnostics: readonly KernelError[];
}

let shared: Project | undefined;

function project(): Project {
  shared ??= new Project({
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      allowImportingTsExtensions: true,
      allowJs: true,
      noEmit: true,
      strict: false,
      strictNullChecks: true,
      skipLibCheck: true,
      baseUrl: ROOT,
      paths: { tilekit: ['index.ts'] },
    },
    skipAddingFilesFromTsConfig: true,
  });
  return shared;
}

/** Statically check one kernel file. TK0701 if it cannot be read. */
export function checkKernelSource(file: string): CheckFileResult {
  const path = resolve(file);
  if (!existsSync(path)) throw new KernelError('TK0701', `cannot check ${displayPath(path)}: no such file`);
  const p = project();
  const existing = p.getSourceFile(path);
  if (existing) p.removeSourceFile(existing);
  const sf = p.addSourceFileAtPath(path);
  p.resolveSourceFileDependencies();
  return new FileChecker(sf).run();
}

class FileChecker {
  private readonly diagnostics: KernelError[] = [];
  private readonly seen = new Set<string>();
  private readonly kernelFns: FunctionLike[] = [];
  private readonly shown: string;

  constructor(private readonly sf: SourceFile) {
    this.shown = displayPath(sf.getFilePath());
  }

  run(): CheckFileResult {
    this.findKernels();
    this.sf.forEachDescendant((node) => this.visit(node));
    for (const fn of this.kernelFns) this.checkOutputsReturned(fn);
    this.diagnostics.sort((a, b) => a.loc!.line - b.loc!.line || a.loc!.column - b.loc!.column);
    return { file: this.shown, kernels: this.kernelFns.length, diagnostics: this.diagnostics };
  }

  // ---- where things are -------------------------------------------------------------------------------------------

  private loc(node: Node): SourceLoc {
    const { line, column } = this.sf.getLineAndColumnAtPos(node.getStart());
    return { file: this.shown, line, column };
  }

  private report(code: ErrorCode, node: Node, message: string, notes: DiagnosticNote[] = []): void {
    const key = `${code}:${node.getStart()}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push(new KernelError(code, message, this.loc(node), notes));
  }

  private text(node: Node): string {
    const t = node.getText().replace(/\s+/g, ' ');
    return t.length > 40 ? `${t.slice(0, 37)}...` : t;
  }

  // ---- kernels ----------------------------------------------------------------------------------------------------

  /** Functions passed to `kernel(...)`, directly or by name. */
  private findKernels(): void {
    for (const call of this.sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const callee = call.getExpression();
      if (!Node.isIdentifier(callee) || callee.getText() !== 'kernel') continue;
      const arg = call.getArguments()[0];
      const fn = arg && this.functionOf(arg);
      if (fn && !this.kernelFns.includes(fn)) this.kernelFns.push(fn);
    }
  }

  private functionOf(node: Node): FunctionLike | undefined {
    if (Node.isArrowFunction(node) || Node.isFunctionExpression(node)) return node as FunctionLike;
    if (Node.isIdentifier(node)) {
      for (const d of node.getSymbol()?.getDeclarations() ?? []) {
        if (Node.isFunctionDeclaration(d)) return d as FunctionDeclaration as FunctionLike;
        if (Node.isVariableDeclaration(d)) {
          const init = d.getInitializer();
          if (init && (Node.isArrowFunction(init) || Node.isFunctionExpression(init)))
            return init as FunctionLike;
        }
      }
    }
    return undefined;
  }

  /** The kernel function a node is inside, if any. */
  private enclosingKernel(node: Node): FunctionLike | undefined {
    return this.kernelFns.find((fn) => fn.getStart() <= node.getStart() && node.getEnd() <= fn.getEnd());
  }

  // ---- what is a tile ---------------------------------------------------------------------------------------------

  private static isTensorType(t: Type): boolean {
    if (t.isUnion()) return t.getUnionTypes().some((u) => FileChecker.isTensorType(u));
    if (t.isIntersection()) return t.getIntersectionTypes().some((u) => FileChecker.isTensorType(u));
    const sym = t.getSymbol() ?? t.getAliasSymbol();
    if (sym?.getName() !== 'Tensor') return false;
    return sym.getDeclarations().some((d) => /dsl[/\\]tensor\.ts$/.test(d.getSourceFile().getFilePath()));
  }

  /** Is this expression a tile (a traced Tensor)? By type; untyped kernel parameters and nl/nisa results count. */
  private isTile(node: Node): boolean {
    const e = skipParens(node);
    if (Node.isNumericLiteral(e) || Node.isStringLiteral(e) || Node.isNoSubstitutionTemplateLiteral(e))
      return false;
    const type = e.getType();
    if (FileChecker.isTensorType(type)) return true;
    if (!type.isAny() && !type.isUnknown()) return false;
    if (Node.isIdentifier(e)) {
      for (const d of e.getSymbol()?.getDeclarations() ?? []) {
        if (Node.isParameterDeclaration(d) && !d.getTypeNode()) {
          const fn = d.getParent();
          if (this.kernelFns.includes(fn as FunctionLike)) return true;
        }
        if (Node.isVariableDeclaration(d)) {
          const init = d.getInitializer();
          if (init && init !== e && this.isTile(init)) return true;
        }
      }
      return false;
    }
    if (Node.isCallExpression(e)) {
      const name = nlCallName(e);
      if (name) return !NON_TILE.has(name.fn);
      const callee = e.getExpression();
      if (Node.isPropertyAccessExpression(callee) && ['get', 'reshape'].includes(callee.getName()))
        return this.isTile(callee.getExpression());
    }
    return false;
  }

  /** Where the tile an expression names was made, as a note. */
  private madeAt(node: Node): DiagnosticNote[] {
    const e = skipParens(node);
    if (!Node.isIdentifier(e)) return [];
    const d = e.getSymbol()?.getDeclarations()[0];
    if (!d || d.getSourceFile() !== this.sf) return [];
    return [{ message: `'${e.getText()}' is a tile made here`, loc: this.loc(d) }];
  }

  // ---- the checks -------------------------------------------------------------------------------------------------

  private visit(node: Node): void {
    if (Node.isIfStatement(node) || Node.isWhileStatement(node) || Node.isDoStatement(node)) {
      this.checkCondition(node.getExpression());
    } else if (Node.isForStatement(node)) {
      const c = node.getCondition();
      if (c) this.checkCondition(c);
    } else if (Node.isConditionalExpression(node)) {
      this.checkCondition(node.getCondition());
    } else if (Node.isSwitchStatement(node)) {
      if (this.isTile(node.getExpression())) this.branchOnTile(node.getExpression(), node.getExpression());
    } else if (Node.isBinaryExpression(node)) {
      this.checkOperator(node);
    } else if (Node.isPrefixUnaryExpression(node)) {
      const op = node.getOperatorToken();
      if (op !== SyntaxKind.ExclamationToken && this.isTile(node.getOperand())) {
        this.report(
          'TK1007',
          node,
          `'${this.text(node)}' applies a JavaScript operator to a tile; tile values exist only on the device, so tracing this line throws TK0401 — use nl/nisa operations (e.g. nl.negative)`,
          this.madeAt(node.getOperand()),
        );
      }
    } else if (Node.isCallExpression(node)) {
      this.checkMath(node);
      this.checkUnusedLoad(node);
    } else if (Node.isForOfStatement(node)) {
      this.checkAffineLoop(node);
    }
  }

  /** A condition: a bare tile (truthiness) or a test that depends on tile data. */
  private checkCondition(cond: Expression): void {
    const c = skipParens(cond);
    if (Node.isPrefixUnaryExpression(c) && c.getOperatorToken() === SyntaxKind.ExclamationToken) {
      this.checkCondition(c.getOperand());
      return;
    }
    if (Node.isBinaryExpression(c)) {
      const op = c.getOperatorToken().getKind();
      if (
        op === SyntaxKind.AmpersandAmpersandToken ||
        op === SyntaxKind.BarBarToken ||
        op === SyntaxKind.QuestionQuestionToken
      ) {
        this.checkCondition(c.getLeft());
        this.checkCondition(c.getRight());
        return;
      }
    }
    // `if (t)` on a `Tensor | undefined` is a presence test, not a look at the data.
    if (this.isTile(c) && !c.getType().isNullable() && !c.getType().isUnion()) {
      this.report(
        'TK1002',
        c,
        `'${this.text(c)}' is a tile used as a condition: a tile object is always truthy, so this test never looks at its data and no error is raised when it runs; compare values on the device (nl.greater, nl.where) or test a shape (e.g. '${this.text(c)}.shape[0] > 1')`,
        this.madeAt(c),
      );
      return;
    }
    if (this.isTile(c)) return;
    const data = this.tileOperand(c);
    if (data) this.branchOnTile(c, data);
  }

  private branchOnTile(cond: Node, tile: Node): void {
    this.report(
      'TK1001',
      cond,
      `the branch on '${this.text(cond)}' depends on the data of tile '${this.text(tile)}', which exists only on the device: the trace throws TK0401 when it reaches this line and cannot see the paths it does not take; select on the device instead (nl.where, nisa.affineSelect) or branch on shapes and loop indices`,
      this.madeAt(tile),
    );
  }

  /** A tile that an arithmetic/comparison operator (or a conversion) inside `expr` applies to. */
  private tileOperand(expr: Node): Node | undefined {
    let found: Node | undefined;
    const walk = (n: Node): void => {
      if (found || Node.isArrowFunction(n) || Node.isFunctionExpression(n)) return;
      if (Node.isBinaryExpression(n)) {
        const k = n.getOperatorToken().getKind();
        const nullish = [n.getLeft(), n.getRight()].some(
          (x) => x.getText() === 'null' || x.getText() === 'undefined',
        );
        if (ARITHMETIC.has(k) || (LOOSE_EQUALITY.has(k) && !nullish)) {
          for (const side of [n.getLeft(), n.getRight()]) {
            if (this.isTile(side)) {
              found = side;
              return;
            }
          }
        }
      }
      if (Node.isCallExpression(n)) {
        const callee = n.getExpression().getText();
        if (['Number', 'Boolean', 'String', 'parseFloat', 'parseInt'].includes(callee)) {
          const arg = n.getArguments()[0];
          if (arg && this.isTile(arg)) {
            found = arg;
            return;
          }
        }
      }
      n.forEachChild(walk);
    };
    walk(expr);
    return found;
  }

  /** `x * 2`, `a < b` on tiles outside conditions (conditions report TK1001). */
  private checkOperator(node: Node): void {
    if (!Node.isBinaryExpression(node)) return;
    const k = node.getOperatorToken().getKind();
    if (!ARITHMETIC.has(k)) return;
    if (this.insideCondition(node)) return;
    const side = [node.getLeft(), node.getRight()].find((s) => this.isTile(s));
    if (!side) return;
    this.report(
      'TK1007',
      node,
      `'${this.text(node)}' applies the JavaScript operator '${node.getOperatorToken().getText()}' to tile '${this.text(side)}'; tile values exist only on the device, so tracing this line throws TK0401 — use nl/nisa operations (nl.add, nl.multiply, nl.greater, ...)`,
      this.madeAt(side),
    );
  }

  private insideCondition(node: Node): boolean {
    for (let n: Node | undefined = node; n; n = n.getParent()) {
      const p = n.getParent();
      if (!p) return false;
      if (Node.isFunctionLikeDeclaration(p)) return false;
      if (
        ((Node.isIfStatement(p) || Node.isWhileStatement(p) || Node.isDoStatement(p)) &&
          p.getExpression() === n) ||
        (Node.isConditionalExpression(p) && p.getCondition() === n) ||
        (Node.isForStatement(p) && p.getCondition() === n)
      )
        return true;
    }
    return false;
  }

  /** `Math.exp(tile)`. */
  private checkMath(call: CallExpression): void {
    const callee = call.getExpression();
    if (!Node.isPropertyAccessExpression(callee) || callee.getExpression().getText() !== 'Math') return;
    const arg = call.getArguments().find((a) => this.isTile(a));
    if (!arg) return;
    const fn = callee.getName();
    const nlName = MATH_TO_NL[fn];
    this.report(
      'TK1005',
      call,
      `Math.${fn} is applied to tile '${this.text(arg)}'; Math works on JavaScript numbers and a tile has no value while the kernel is traced${nlName ? ` — use ${nlName}` : ' — use the nl/nisa operation'}`,
      this.madeAt(arg),
    );
  }

  /** `nl.load(...)` whose tile is dropped or never read. */
  private checkUnusedLoad(call: CallExpression): void {
    const name = nlCallName(call);
    if (name?.ns !== 'nl' || name.fn !== 'load') return;
    const parent = call.getParent();
    if (Node.isExpressionStatement(parent)) {
      this.report(
        'TK1006',
        call,
        `the tile loaded by '${this.text(call)}' is dropped: the DMA costs time and its data is never used; use the result or remove the load`,
      );
      return;
    }
    if (!Node.isVariableDeclaration(parent) || parent.getInitializer() !== call) return;
    const nameNode = parent.getNameNode();
    if (!Node.isIdentifier(nameNode)) return;
    const uses = nameNode.findReferencesAsNodes().filter((r) => r !== nameNode);
    if (uses.length === 0) {
      this.report(
        'TK1006',
        nameNode,
        `'${nameNode.getText()}' is loaded but never used: the DMA costs time and its data is never read; use it or remove the load`,
      );
    }
  }

  /** `for (const i of nl.affineRange(n))` whose body writes a region that does not depend on i. */
  private checkAffineLoop(loop: ForOfStatement): void {
    const iter = skipParens(loop.getExpression());
    if (!Node.isCallExpression(iter) || nlCallName(iter)?.fn !== 'affineRange') return;
    const init = loop.getInitializer();
    const decl = Node.isVariableDeclarationList(init) ? init.getDeclarations()[0] : undefined;
    const index = decl?.getNameNode();
    const depends = new Set<string>();
    if (index && Node.isIdentifier(index)) depends.add(index.getText());
    const body = loop.getStatement();
    // Variables of the body computed from the index depend on it too (in order of declaration).
    for (const v of body.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
      const vi = v.getInitializer();
      if (vi && mentions(vi, depends)) for (const n of namesIn(v.getNameNode())) depends.add(n);
    }
    for (const f of body.getDescendantsOfKind(SyntaxKind.ForOfStatement)) {
      const d = f.getInitializer();
      if (Node.isVariableDeclarationList(d) && mentions(f.getExpression(), depends))
        for (const x of d.getDeclarations()) for (const n of namesIn(x.getNameNode())) depends.add(n);
    }
    for (const call of body.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const dst = this.destinationOf(call);
      if (!dst) continue;
      const base = baseIdentifier(dst);
      if (!base) continue;
      const declared = base.getSymbol()?.getDeclarations()[0];
      // A tile made inside the loop is a new tile in each iteration.
      if (!declared || (declared.getStart() >= body.getStart() && declared.getEnd() <= body.getEnd()))
        continue;
      if (mentions(dst, depends)) continue;
      this.report(
        'TK1004',
        call,
        `every iteration of this affineRange writes the same region '${this.text(dst)}' (it does not depend on the loop index${index ? ` '${index.getText()}'` : ''}): affine iterations may run in any order or at once, so the result is undefined (NKI err_unexpected_output_dependencies); index the destination with the loop variable, or use sequentialRange`,
        [{ message: 'the affine loop', loc: this.loc(loop) }],
      );
    }
  }

  /** The region a call writes: the destination of store/dmaCopy, or a `{ dst }` option (accumulations excluded). */
  private destinationOf(call: CallExpression): Node | undefined {
    const name = nlCallName(call);
    if (!name) return undefined;
    if (name.fn === 'atomicRmw' || name.fn === 'ncMatmul') return undefined;
    const args = call.getArguments();
    if (DESTINATION_FIRST.has(name.fn)) {
      const opts = args[2];
      if (opts && Node.isObjectLiteralExpression(opts) && opts.getProperty('dstRmwOp')) return undefined;
      return args[0];
    }
    for (const a of args) {
      if (!Node.isObjectLiteralExpression(a)) continue;
      const p = a.getProperty('dst');
      if (Node.isPropertyAssignment(p)) return p.getInitializer();
      if (Node.isShorthandPropertyAssignment(p)) return p.getNameNode();
    }
    return undefined;
  }

  /** Shared-HBM tensors a kernel allocates into a variable but never returns. */
  private checkOutputsReturned(fn: FunctionLike): void {
    const body = fn.getBody();
    if (!body) return;
    const returned: Node[] = [];
    if (!Node.isBlock(body)) returned.push(body);
    body.forEachDescendant((n, t) => {
      if (Node.isFunctionLikeDeclaration(n) || Node.isArrowFunction(n) || Node.isFunctionExpression(n)) {
        t.skip();
        return;
      }
      if (Node.isReturnStatement(n)) {
        const e = n.getExpression();
        if (e) returned.push(e);
      }
    });
    const returnedNames = new Set<string>();
    for (const r of returned)
      for (const id of [r, ...r.getDescendantsOfKind(SyntaxKind.Identifier)]) {
        if (Node.isIdentifier(id)) returnedNames.add(id.getText());
      }
    // Arrays that are returned pass on what is pushed into them or listed in them.
    for (const call of body.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const callee = call.getExpression();
      if (Node.isPropertyAccessExpression(callee) && callee.getName() === 'push') {
        if (returnedNames.has(callee.getExpression().getText()))
          for (const a of call.getArguments()) for (const n of namesIn(a)) returnedNames.add(n);
      }
    }
    for (const v of body.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
      const init = v.getInitializer();
      if (
        init &&
        Node.isArrayLiteralExpression(init) &&
        namesIn(v.getNameNode()).some((n) => returnedNames.has(n))
      )
        for (const n of namesIn(init)) returnedNames.add(n);
    }
    for (const call of body.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      if (nlCallName(call)?.fn !== 'ndarray' || !isSharedHbm(call)) continue;
      if (this.enclosingKernel(call) !== fn) continue;
      const parent = call.getParent();
      let name: string | undefined;
      let at: Node = call;
      if (Node.isVariableDeclaration(parent)) {
        const n = parent.getNameNode();
        if (!Node.isIdentifier(n)) continue;
        name = n.getText();
        at = n;
        if (returnedNames.has(name)) continue;
      } else if (!Node.isExpressionStatement(parent)) {
        continue;
      }
      this.report(
        'TK1003',
        at,
        `${name ? `'${name}'` : 'this tensor'} is allocated in shared HBM (an output) but the kernel never returns it: the caller never sees what is stored there; return it (return ${name ?? 'out'} or [..., ${name ?? 'out'}]) or allocate it in nl.hbm as scratch`,
        [{ message: 'the kernel function', loc: this.loc(fn) }],
      );
    }
  }
}

const MATH_TO_NL: Record<string, string> = {
  exp: 'nl.exp',
  log: 'nl.log',
  sqrt: 'nl.sqrt',
  abs: 'nl.abs',
  max: 'nl.maximum (elementwise) or nl.max (reduction)',
  min: 'nl.minimum (elementwise) or nl.min (reduction)',
  tanh: 'nl.tanh',
  sin: 'nl.sin',
  cos: 'nl.cos',
  tan: 'nl.tan',
  atan: 'nl.arctan',
  pow: 'nl.power',
  sign: 'nl.sign',
  floor: 'nl.floor',
  ceil: 'nl.ceil',
  trunc: 'nl.trunc',
  round: 'nisa.tensorCopy to an integer dtype',
  exp2: 'nl.power',
};

function skipParens(n: Node): Node {
  let e = n;
  while (Node.isParenthesizedExpression(e) || Node.isAsExpression(e) || Node.isNonNullExpression(e))
    e = e.getExpression();
  return e;
}

/** `nl.load(...)` → { ns: 'nl', fn: 'load' }. */
function nlCallName(call: CallExpression): { ns: string; fn: string } | undefined {
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  const ns = callee.getExpression().getText();
  if (ns !== 'nl' && ns !== 'nisa') return undefined;
  return { ns, fn: callee.getName() };
}

function isSharedHbm(call: CallExpression): boolean {
  return call.getArguments().some((a) => /buffer\s*:\s*nl\.sharedHbm/.test(a.getText()));
}

/** Identifier names bound or mentioned in a node. */
function namesIn(n: Node): string[] {
  if (Node.isIdentifier(n)) return [n.getText()];
  return n.getDescendantsOfKind(SyntaxKind.Identifier).map((i) => i.getText());
}

function mentions(n: Node, names: ReadonlySet<string>): boolean {
  return namesIn(n).some((x) => names.has(x));
}

/** `out.get(i, ':')` → `out`. */
function baseIdentifier(n: Node): Node | undefined {
  let e = skipParens(n);
  for (;;) {
    if (Node.isIdentifier(e)) return e;
    if (Node.isCallExpression(e)) {
      const c = e.getExpression();
      if (Node.isPropertyAccessExpression(c)) {
        e = c.getExpression();
        continue;
      }
      return undefined;
    }
    if (Node.isPropertyAccessExpression(e) || Node.isElementAccessExpression(e)) {
      e = e.getExpression();
      continue;
    }
    return undefined;
  }
}

/** The text of every diagnostic, then a summary line. */
export function formatCheckResults(results: readonly CheckFileResult[]): string {
  const out: string[] = [];
  for (const r of results) for (const d of r.diagnostics) out.push(d.format(), '');
  const n = results.reduce((s, r) => s + r.diagnostics.length, 0);
  const files = results.length === 1 ? results[0].file : `${results.length} files`;
  out.push(n === 0 ? `${files}: no problems found` : `${files}: ${n} problem${n === 1 ? '' : 's'}`);
  return `${out.join('\n')}\n`;
}

export function checkResultsJSON(results: readonly CheckFileResult[]): string {
  return `${JSON.stringify(
    {
      files: results.map((r) => ({ file: r.file, kernels: r.kernels })),
      diagnostics: results.flatMap((r) => r.diagnostics.map((d) => d.toJSON())),
    },
    null,
    2,
  )}\n`;
}
