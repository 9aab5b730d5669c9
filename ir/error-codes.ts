/**
 * The diagnostic catalogue: one entry per stable code. Codes never change meaning; retired codes stay listed.
 * `nki` names the legacy NKI error (neuroncore.md §5.1 [ER]) where one corresponds.
 */
export interface ErrorCodeInfo {
  readonly title: string;
  readonly stage: 'trace' | 'compile' | 'simulate' | 'host';
  readonly nki?: string;
}

export const ERROR_CODES = {
  TK0101: {
    title: 'partition dimension exceeds the architecture limit',
    stage: 'trace',
    nki: 'err_num_partition_exceed_arch_limit',
  },
  TK0102: { title: 'on-chip tensor needs rank >= 2 (partition dim first)', stage: 'trace' },
  TK0103: { title: 'partition start not allowed for this partition count', stage: 'trace' },
  TK0104: { title: 'PSUM tile exceeds one 2 KiB bank per partition', stage: 'trace' },
  TK0105: { title: 'invalid shape', stage: 'trace' },
  TK0106: { title: 'free size per instruction exceeds the engine limit', stage: 'trace' },
  TK0107: { title: 'unknown dtype', stage: 'trace' },
  TK0108: { title: 'unknown memory buffer kind', stage: 'trace', nki: 'err_unsupported_memory' },
  TK0110: {
    title: 'HBM tensor created with an initial value',
    stage: 'trace',
    nki: 'err_hbm_tensor_with_init_value_not_supported',
  },
  TK0111: { title: 'constant data does not match its shape', stage: 'trace' },
  TK0201: { title: 'operand in an unsupported memory', stage: 'trace', nki: 'err_unsupported_memory' },
  TK0202: {
    title: 'operands have different partition counts',
    stage: 'trace',
    nki: 'err_num_partition_mismatch',
  },
  TK0203: { title: 'matmul contraction mismatch', stage: 'trace' },
  TK0204: {
    title: 'matmul operand exceeds the TensorE tile limits',
    stage: 'trace',
    nki: 'err_size_of_dimension_exceed_arch_limit',
  },
  TK0205: {
    title: 'operand shapes or element counts do not match',
    stage: 'trace',
    nki: 'err_store_dst_shape_smaller_than_other_shape',
  },
  TK0206: { title: 'dtype not supported by this operation', stage: 'trace' },
  TK0207: { title: 'both tensor inputs are in PSUM', stage: 'trace' },
  TK0208: { title: 'engine cannot execute this operation', stage: 'trace' },
  TK0209: { title: 'invalid operation attribute', stage: 'trace' },
  TK0210: { title: 'destination is not where this operation writes', stage: 'trace' },
  TK0260: { title: 'invalid indirect DMA index tile', stage: 'trace' },
  TK0261: {
    title: 'indirect indexing is only allowed on the leading dim',
    stage: 'trace',
    nki: 'err_indirect_indices_free_dim',
  },
  TK0262: {
    title: 'operation does not take indirect indices',
    stage: 'trace',
    nki: 'err_indirect_indices_are_not_supported_with_nki_api',
  },
  TK0263: { title: 'indirect DMA needs the software DGE', stage: 'trace' },
  TK0264: { title: 'hardware DGE transfers cannot cast', stage: 'trace' },
  TK0265: { title: 'invalid DMA transpose permutation', stage: 'trace' },
  TK0266: { title: 'DMA read-modify-write supports add only', stage: 'trace' },
  TK0267: {
    title: 'tensor has more dims than the operation supports',
    stage: 'trace',
    nki: 'err_exceed_max_supported_dimension',
  },
  TK0268: { title: 'axis out of range or not supported by this operation', stage: 'trace' },
  TK0269: { title: 'shapes cannot be broadcast', stage: 'trace' },
  TK0220: { title: 'bitvec ALU op needs integer operands', stage: 'trace' },
  TK0221: { title: 'instruction mixes bitvec and arithmetic ALU ops', stage: 'trace' },
  TK0222: { title: 'invalid matmul tiling (tilePosition / tileSize)', stage: 'trace' },
  TK0223: { title: 'matmul mode not valid for these operands (doubleRow / isTranspose)', stage: 'trace' },
  TK0224: { title: 'partition count not supported by this instruction', stage: 'trace' },
  TK0225: { title: 'instruction parameter out of its hardware range', stage: 'trace' },
  TK0301: { title: 'index out of bounds', stage: 'trace', nki: 'err_tensor_access_out_of_bound' },
  TK0302: { title: 'invalid slice', stage: 'trace' },
  TK0303: { title: 'too many indices for the tensor', stage: 'trace' },
  TK0304: { title: 'reshape not possible as a view', stage: 'trace' },
  TK0305: { title: 'access pattern exceeds the hardware free dims', stage: 'trace' },
  TK0306: { title: 'access pattern stride exceeds the hardware limit (int16)', stage: 'trace' },
  TK0401: {
    title: 'traced value used where a concrete value is needed',
    stage: 'trace',
    nki: 'err_dynamic_control_flow_not_supported',
  },
  TK0402: {
    title: 'tilekit API called outside a kernel',
    stage: 'trace',
    nki: 'err_nki_api_outside_of_nki_kernel',
  },
  TK0403: {
    title: 'write to an input that is not declared mutable',
    stage: 'trace',
    nki: 'err_cannot_update_immutable_parameter',
  },
  TK0404: {
    title: 'shared HBM tensor created inside a loop',
    stage: 'trace',
    nki: 'err_shared_hbm_must_in_kernel_level',
  },
  TK0405: { title: 'kernel must return HBM tensors it allocated', stage: 'trace' },
  TK0406: { title: 'kernel called with the wrong inputs', stage: 'trace' },
  TK0407: { title: 'output never written', stage: 'trace', nki: 'err_tensor_output_not_written_to' },
  TK0408: { title: 'SPMD grid axis out of range', stage: 'trace' },
  TK0409: {
    title: 'tensor used outside the kernel trace that created it',
    stage: 'trace',
    nki: 'err_local_variable_used_out_of_scope',
  },
  TK0410: { title: 'mutable input not returned', stage: 'trace', nki: 'err_mutable_parameter_not_returned' },
  TK0411: { title: 'invalid loop range', stage: 'trace' },
  TK0412: { title: 'write to a shared constant', stage: 'trace' },
  TK0413: {
    title: 'affine loop iterations write the same location',
    stage: 'trace',
    nki: 'err_unexpected_output_dependencies',
  },
  TK0414: {
    title: 'kernel traced inside another kernel',
    stage: 'trace',
    nki: 'err_nested_kernel_with_spmd_grid',
  },
  TK0501: { title: 'SBUF capacity exceeded', stage: 'compile' },
  TK0502: { title: 'PSUM capacity exceeded', stage: 'compile' },
  TK0503: { title: 'HBM capacity exceeded', stage: 'compile' },
  TK0510: { title: 'indirect DMA index out of bounds', stage: 'simulate' },
  TK0601: { title: 'simulator deadlock: a semaphore wait can never be satisfied', stage: 'simulate' },
  TK0602: { title: 'input data does not match the kernel signature', stage: 'host' },
  TK0701: { title: 'kernel file could not be loaded', stage: 'host' },
  TK0702: { title: 'kernel not found in file', stage: 'host' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;
