// Element types the graph layer knows, with their ONNX codes and typed-array carriers.

/** Element type of a symbolic tensor. Float32 is the working type; int64 carries indices and shapes. */
export type DType = 'float32' | 'int64' | 'int32' | 'bool';

/** ONNX TensorProto.DataType codes. */
export const ONNX_DTYPE: Readonly<Record<DType, number>> = { float32: 1, int32: 6, int64: 7, bool: 9 };

/** Typed array that onnxruntime expects for each element type. */
export type OrtData = Float32Array | BigInt64Array | Int32Array | Uint8Array;

/** Copies plain numbers into the typed array onnxruntime wants for `dtype`. */
export function toOrtData(dtype: DType, values: ArrayLike<number>): OrtData {
  switch (dtype) {
    case 'float32':
      return values instanceof Float32Array ? values : Float32Array.from(values);
    case 'int32':
      return Int32Array.from(values);
    case 'int64': {
      const out = new BigInt64Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = BigInt(Math.trunc(values[i]!));
      return out;
    }
    case 'bool':
      return Uint8Array.from(values, (v) => (v ? 1 : 0));
  }
}

