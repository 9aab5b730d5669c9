export { type DecoderConfig, decoderBlock, decoderWeightShapes, SMALL_DECODER } from './decoder.ts';
export { decoderReference } from './decoder-reference.ts';
