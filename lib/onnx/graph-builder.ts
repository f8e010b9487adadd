/**
 * A small ONNX graph builder over the `onnx-proto` protobuf schema: named float32/int64
 * initializers, nodes whose outputs get fresh names, graph inputs/outputs with symbolic (dynamic)
 * dimensions, and serialisation to a ModelProto.
 *
 * Why our own instead of a converter: the kit's networks are described as data (unet-spec.ts), so
 * writing the graph directly from that description keeps the exported model and the TF.js forward
 * pass reading the same plan, with no Python or tf2onnx in the loop.
 *
 * Initializers are stored as `raw_data` (little-endian bytes), which is what ONNX Runtime reads
 * fastest and keeps the file compact; x86/ARM hosts are little-endian, as the format requires.
 */
import { onnx } from 'onnx-proto';

/** Opset of the default ONNX domain the kit writes; every op used below exists unchanged in it and ORT 1.x runs it natively. */
export const ONNX_OPSET = 17;
/** IR version 8 (ONNX 1.12+) is the first that allows opset 17; onnx-proto 8.x knows it. */
export const ONNX_IR_VERSION = 8;

/**
 * A node attribute: an integer (INT), a list of integers (INTS), a string (STRING) or `{ f }` for a
 * FLOAT. Floats are explicit because ONNX types attributes strictly and `1` vs `1.0` cannot be
 * told apart in JavaScript.
 */
export type AttrValue = number | number[] | string | { f: number };

/** One graph input or output: a float32 tensor whose dims are numbers or symbolic names such as 'N'. */
export interface GraphIO { name: string; dims: (number | string)[] }

function attribute(name: string, v: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: Buffer.from(v, 'utf8') };
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`ONNX attribute ${name}=${v}: integers only; write { f: ${v} } for a float`);
    return { name, type: T.INT, i: v };
  }
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  return { name, type: T.FLOAT, f: v.f };
}

function valueInfo(io: GraphIO): onnx.IValueInfoProto {
  return {
    name: io.name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: io.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function bytesOf(a: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

export class OnnxGraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly used = new Set<string>();
  private readonly int64Cache = new Map<string, string>();
  private counter = 0;

  /** A name not used yet, derived from `base` (names must be unique across the whole graph). */
  fresh(base: string): string {
    let name = base;
    while (this.used.has(name)) name = `${base}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** Reserves an exact name (graph inputs), failing on a clash rather than renaming it. */
  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`ONNX graph: name '${name}' is already used`);
    this.used.add(name);
    return name;
  }

  /** A float32 initializer; `data.length` must equal the product of `dims`. */
  float(base: string, dims: number[], data: Float32Array): string {
    const n = dims.reduce((a, b) => a * b, 1);
    if (n !== data.length) throw new Error(`ONNX initializer ${base}: dims [${dims}] hold ${n} values, got ${data.length}`);
    const name = this.fresh(base);
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytesOf(data) });
    return name;
  }

  /** A 1-D int64 initializer (shapes, axes, pads, split sizes); equal values share one tensor. */
  int64(values: number[]): string {
    const key = values.join(',');
    const hit = this.int64Cache.get(key);
    if (hit) return hit;
    const name = this.fresh(`i64_${values.map((v) => (v < 0 ? `m${-v}` : String(v))).join('_') || 'empty'}`);
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: bytesOf(data) });
    this.int64Cache.set(key, name);
    return name;
  }

  /** Adds a node with one output and returns the output's name. '' in `inputs` is an omitted optional input. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outBase?: string): string {
    return this.opN(opType, inputs, 1, attrs, outBase)[0];
  }

  /** Adds a node with `outputs` outputs (e.g. Split) and returns their names. */
  opN(opType: string, inputs: string[], outputs: number, attrs: Record<string, AttrValue> = {}, outBase?: string): string[] {
    const base = outBase ?? opType.toLowerCase();
    const outs = Array.from({ length: outputs }, (_, i) => this.fresh(outputs === 1 ? base : `${base}_${i}`));
    this.nodes.push({
      opType,
      name: this.fresh(`node_${outs[0]}`),
      input: inputs,
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** Serialises the graph as a ModelProto with the given graph inputs/outputs and metadata. */
  toModel(opts: { graphName: string; inputs: GraphIO[]; outputs: GraphIO[]; metadata: Record<string, string>; producerVersion: string; docString?: string }): Uint8Array {
    const model: onnx.IModelProto = {
      irVersion: ONNX_IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: 'oms-dpm-kit',
      producerVersion: opts.producerVersion,
      docString: opts.docString ?? '',
      graph: {
        name: opts.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: opts.inputs.map(valueInfo),
        output: opts.outputs.map(valueInfo),
      },
      metadataProps: Object.entries(opts.metadata).map(([key, value]) => ({ key, value })),
    };
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }
}
