// NKI type promotion for a binary op's default output dtype [neuroncore.md §1.11, SH "NKI Type Promotion"]:
//   (float, int)   -> the float type;
//   (float, float) -> the wider type if it holds every value of the other, else a widened type: bfloat16 if it
//                     holds both, else float32 ((fp16, bf16) -> fp32, (e4m3, e5m2) -> bf16, (fp32, tf32) -> fp32);
//   (int, int)     -> the wider type if it holds the other's range, else int16 / int32 if one holds both, else
//                     float32 since there is no int64 ((int8, uint8) -> int16, (int32, uint32) -> fp32).
// "Holds" is decided from the DTYPES data: range, precision, smallest subnormal and inf. Undocumented pairs follow the
// same rule, e.g. (float8_e4m3, float8_e4m3fn) -> bfloat16 since e4m3fn has no inf and e4m3 lacks 256..448.
import { DTYPES, type DType, type DTypeInfo } from './info.ts';

const minSubnormal = (t: DTypeInfo): number => {
  const b = t.bits!;
  return 2 ** (2 - 2 ** (b.exponent - 1) - b.mantissa);
};

/** Every value of b (including ±inf) is a value of a. */
function holds(a: DType, b: DType): boolean {
  const x = DTYPES[a];
  const y = DTYPES[b];
  if (x.min > y.min || x.max < y.max) return false;
  if (x.kind !== 'float') return y.kind !== 'float';
  if (y.kind !== 'float') return true;
  return (
    x.bits!.mantissa >= y.bits!.mantissa && minSubnormal(x) <= minSubnormal(y) && (x.hasInf || !y.hasInf)
  );
}

const FLOAT_WIDENED: readonly DType[] = ['bfloat16', 'float32'];
const INT_WIDENED: readonly DType[] = ['int16', 'int32', 'float32'];

/** NKI type promotion for a binary op's default output dtype (neuroncore.md §1.11). */
export function promote(a: DType, b: DType): DType {
  if (a === b) return a;
  const fa = DTYPES[a].kind === 'float';
  const fb = DTYPES[b].kind === 'float';
  if (fa !== fb) return fa ? a : b;
  if (holds(a, b)) return a;
  if (holds(b, a)) return b;
  for (const w of fa ? FLOAT_WIDENED : INT_WIDENED) if (holds(w, a) && holds(w, b)) return w;
  return 'float32';
}
