import type { PhysAccess, ProgInstr, Program } from '../../codegen/program.ts';
import { DTYPES } from '../../ir/dtypes.ts';
import type { ErrorCode } from '../../ir/error-codes.ts';
import { type DiagnosticNote, KernelError } from '../../ir/errors.ts';
import { formatLoc, type SourceLoc } from '../../ir/loc.ts';
import { numel } from '../../ir/types.ts';
import type { Memories } from '../memory.ts';
import { elementCount, type Touch, touchesOf, unravel } from './access.ts';
import { checkBounds } from './bounds.ts';
import { PsumGroups } from './psum-groups.ts';
import { RaceDetector } from './races.ts';
import { WrittenBytes } from './written.ts';

/** The simulator's checks, by name (`skip` turns single ones off). */
export type SimCheckName = 'bounds' | 'uninitialized' | 'races' | 'psumGroups' | 'outputs';
export const SIM_CHECKS: readonly SimCheckName[] = [
  'bounds',
  'uninitialized',
  'races',
  'psumGroups',
  'outputs',
];

export interface SimCheckOptions {
  /**
   * 'report' (default): collect diagnostics in the result and keep simulating; 'error': throw the first one;
   * 'off': no checks. An access outside its tensor always throws (it would clobber other data).
   */
  readonly mode?: 'report' | 'error' | 'off';
  readonly skip?: readonly SimCheckName[];
  /** At most this many diagnostics are kept (default 100); one per code, line and tensor. */
  readonly limit?: number;
}

export type SimChecksSetting = SimCheckOptions | SimCheckOptions['mode'];

export function checkOptions(s: SimChecksSetting | undefined): Required<SimCheckOptions> {
  const o = typeof s === 'string' ? { mode: s } : (s ?? {});
  return { mode: o.mode ?? 'report', skip: o.skip ?? [], limit: o.limit ?? 100 };
}

const where = (ins: ProgInstr) => `${ins.op} #${ins.id} (${ins.queue})`;

/**
 * The simulator's run-time checks, called once per instruction as it issues (before its semantics run) and once at
 * the end. Each finding is a KernelError located at the instruction's line, with notes pointing at the related lines.
 */
export class SimChecks {
  readonly diagnostics: KernelError[] = [];
  private readonly opts: Required<SimCheckOptions>;
  private readonly on: (c: SimCheckName) => boolean;
  private readonly written: WrittenBytes;
  private readonly races: RaceDetector;
  private readonly groups: PsumGroups;
  private readonly seen = new Set<string>();
  /** The last instruction that wrote each buffer, for notes. */
  private readonly lastWriter = new Map<number, ProgInstr>();

  constructor(
    private readonly program: Program,
    private readonly mem: Memories,
    setting?: SimChecksSetting,
  ) {
    this.opts = checkOptions(setting);
    const skip = new Set(this.opts.skip);
    this.on = (c) => !skip.has(c);
    this.written = new WrittenBytes(program, mem);
    this.races = new RaceDetector(program, mem.pitch);
    this.groups = new PsumGroups(program);
  }

  get enabled(): boolean {
    return this.opts.mode !== 'off';
  }

  /** Run every check on an instruction that is about to execute. */
  instruction(ins: ProgInstr): void {
    const touches = touchesOf(this.program, ins, this.mem);
    if (this.on('bounds')) {
      for (const t of touches) {
        const bad = checkBounds(this.program, this.mem, t);
        if (bad) throw this.error('TK0605', `${where(ins)}: ${bad.message}`, ins.loc, bad.notes);
      }
    }
    if (this.on('uninitialized')) for (const t of touches) if (!t.write) this.uninitialized(ins, t);
    if (this.on('races')) this.checkRaces(ins, touches);
    if (this.on('psumGroups')) this.checkGroups(ins);
    for (const t of touches) {
      if (!t.write) continue;
      this.written.mark(t);
      this.lastWriter.set(t.buffer, ins);
    }
  }

  /** End of the run: outputs every element of which was written. */
  finish(): void {
    if (!this.on('outputs')) return;
    const { ir } = this.program;
    for (const id of ir.outputs) {
      const b = ir.buffers[id];
      const p = this.program.placements[id];
      if (!p) continue;
      const n = numel(b.shape);
      const whole: PhysAccess = {
        space: 'hbm',
        dtype: b.dtype,
        elemBytes: DTYPES[b.dtype].bytes,
        startPartition: 0,
        partitions: 1,
        byteOffset: p.byteOffset,
        dims: [[1, n]],
        shape: b.shape,
      };
      const { first, count } = this.written.unwritten({
        access: whole,
        buffer: id,
        role: 'output',
        write: false,
      });
      if (first < 0) continue;
      const last = this.lastWriter.get(id);
      this.report(
        'TK0607',
        `output '${b.name}' [${b.shape}] ${b.dtype} is not fully written: ${count} of ${n} elements were never written, the first at [${unravel(b.shape, first)}]; the returned values there are undefined on hardware`,
        b.loc,
        last ? [{ message: `the last write to '${b.name}'`, loc: last.loc }] : [],
        `${id}`,
      );
    }
  }

  private uninitialized(ins: ProgInstr, t: Touch): void {
    const { first, count } = this.written.unwritten(t);
    if (first < 0) return;
    const b = this.program.ir.buffers[t.buffer];
    const total = t.elements ? t.elements.length : elementCount(t.access);
    const index = unravel(t.access.shape, first);
    this.report(
      'TK0603',
      `${where(ins)} reads '${b.name}' [${b.shape}] ${b.dtype} (its ${t.role}) before anything wrote it: ${count} of ${total} elements unwritten, the first at [${index}] of the operand`,
      ins.loc,
      [{ message: `'${b.name}' was created here`, loc: b.loc }],
      `${t.buffer}`,
    );
  }

  private checkRaces(ins: ProgInstr, touches: readonly Touch[]): void {
    const ir = this.program.ir;
    // Tensors nothing writes (immutable inputs, constants) cannot race: leave them out of the bookkeeping.
    const tracked = touches.filter((t) => {
      const b = ir.buffers[t.buffer];
      return !(b.role === 'constant' || (b.role === 'input' && !b.mutable));
    });
    for (const r of this.races.access(ins, tracked)) {
      const verb = (w: boolean) => (w ? 'writes' : 'reads');
      const name = (id: number) => `'${ir.buffers[id].name}'`;
      const same = r.earlierBuffer === r.laterBuffer;
      this.report(
        'TK0604',
        `${where(r.later)} ${verb(r.laterWrites)} ${name(r.laterBuffer)} while ${where(r.earlier)} ${verb(r.earlierWrites)} ${same ? 'it' : `${name(r.earlierBuffer)} in the same ${r.space} bytes`}, and no semaphore wait or queue order puts one after the other: on hardware the result depends on timing (a compiler ordering bug, or a hand-edited Program)`,
        r.later.loc,
        [{ message: `the other access: ${where(r.earlier)}`, loc: r.earlier.loc }],
        `${r.earlier.loc ? formatLoc(r.earlier.loc) : ''}`,
      );
    }
  }

  private checkGroups(ins: ProgInstr): void {
    const v = this.groups.issue(ins);
    if (!v) return;
    if (v.kind === 'interleaved') {
      this.report(
        'TK0606',
        `${where(ins)} accumulates into a PSUM accumulation group after another group started in the same bank; a bank holds one open group, so on hardware this accumulation is corrupted (give each accumulating tile its own 2 KiB bank, or finish one group before starting the next)`,
        ins.loc,
        [
          { message: `the group was started here (${where(v.group.start)})`, loc: v.group.start.loc },
          { message: `another group started in the same bank here (${where(v.other)})`, loc: v.other.loc },
        ],
        'interleaved',
      );
    } else {
      this.report(
        'TK0608',
        `${where(ins)} accumulates onto PSUM that ${where(v.other)} overwrote after the accumulation group started; accumulating onto data another engine wrote is undefined on hardware (start a new group with accumulate: false)`,
        ins.loc,
        [
          { message: `the group was started here (${where(v.group.start)})`, loc: v.group.start.loc },
          { message: `overwritten here (${where(v.other)})`, loc: v.other.loc },
        ],
        'overwritten',
      );
    }
  }

  private error(code: ErrorCode, message: string, loc: SourceLoc, notes: readonly DiagnosticNote[]) {
    return new KernelError(code, message, loc, notes);
  }

  private report(
    code: ErrorCode,
    message: string,
    loc: SourceLoc,
    notes: readonly DiagnosticNote[],
    key: string,
  ): void {
    const e = this.error(code, message, loc, notes);
    if (this.opts.mode === 'error') throw e;
    const k = `${code} ${formatLoc(loc)} ${key}`;
    if (this.seen.has(k) || this.diagnostics.length >= this.opts.limit) return;
    this.seen.add(k);
    this.diagnostics.push(e);
  }
}

/** The checks for one simulation, or undefined when they are off. */
export function createSimChecks(
  program: Program,
  mem: Memories,
  setting?: SimChecksSetting,
): SimChecks | undefined {
  return checkOptions(setting).mode === 'off' ? undefined : new SimChecks(program, mem, setting);
}
