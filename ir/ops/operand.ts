/** A scalar operand: an immediate, or a [P, 1] per-partition vector given as input `index` of the instruction. */
export type ScalarOperand =
  | { readonly kind: 'imm'; readonly value: number }
  | { readonly kind: 'vec'; readonly index: number };

export function scalarAt(s: ScalarOperand, ins: readonly Float64Array[], p: number): number {
  return s.kind === 'imm' ? s.value : ins[s.index][p];
}

export function describeScalar(s: ScalarOperand): string {
  return s.kind === 'imm' ? String(s.value) : `%in${s.index}`;
}

/** Input index of a scalar operand when it is a [P, 1] vector. */
export function vectorIndex(s: ScalarOperand | undefined): number | undefined {
  return s?.kind === 'vec' ? s.index : undefined;
}
