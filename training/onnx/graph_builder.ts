/**
 * A tiny builder for ONNX graphs over float64 tensors, on top of the generated `onnx-proto`
 * classes. It knows only what the SabiScore graphs need: constants, nodes with int attributes,
 * and inputs/outputs with a symbolic batch dimension.
 * @module
 */
import onnxProto from "onnx-proto";

const onnx = onnxProto.onnx;

/** An ONNX model as built by the graph builders (the generated protobuf class). */
export type OnnxModel = InstanceType<typeof onnx.ModelProto>;

/** ONNX element type of every float tensor in SabiScore graphs. */
export const DOUBLE: number = onnx.TensorProto.DataType.DOUBLE;
const INT64: number = onnx.TensorProto.DataType.INT64;

/** Opset of the default ONNX domain the graphs are written against. */
export const OPSET = 13;

/** A dimension: a fixed size, or a symbolic name such as `"N"` for the batch. */
export type Dim = number | string;

/** Options of {@link GraphBuilder.finish}. */
export interface FinishOptions {
  /** Graph name stored in the model. */
  name: string;
  /** Free text stored as the model's doc string. */
  doc?: string;
  /** Extra metadata key/value pairs (e.g. `max_goals`). */
  metadata?: Record<string, string>;
}

function valueInfo(name: string, dims: Dim[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: DOUBLE,
        shape: {
          dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  });
}

/** Collects nodes, constants, inputs and outputs, then produces a `ModelProto`. */
export class GraphBuilder {
  #nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  #initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  #inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  #outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  #counter = 0;

  /** Declares a float64 graph input and returns its name. */
  input(name: string, dims: Dim[]): string {
    this.#inputs.push(valueInfo(name, dims));
    return name;
  }

  /** Declares a float64 graph output produced by the tensor `from`, under `name`. */
  output(name: string, dims: Dim[], from: string): void {
    this.op("Identity", [from], {}, name);
    this.#outputs.push(valueInfo(name, dims));
  }

  /** Adds a float64 constant of shape `dims` (row-major `values`) and returns its name. */
  constant(hint: string, dims: number[], values: ArrayLike<number>): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (values.length !== size) {
      throw new RangeError(
        `Constant "${hint}" has ${values.length} values for shape [${dims.join(", ")}]`,
      );
    }
    const name = `${hint}_${this.#counter++}`;
    this.#initializers.push(
      onnx.TensorProto.create({ name, dims, dataType: DOUBLE, doubleData: Array.from(values) }),
    );
    return name;
  }

  /** Adds an int64 constant (indices, axes, shapes) and returns its name. */
  int64(hint: string, values: number[]): string {
    const name = `${hint}_${this.#counter++}`;
    this.#initializers.push(
      onnx.TensorProto.create({ name, dims: [values.length], dataType: INT64, int64Data: values }),
    );
    return name;
  }

  /** Adds one node with integer attributes and returns the name of its (single) output. */
  op(type: string, inputs: string[], attrs: Record<string, number> = {}, output?: string): string {
    const out = output ?? `${type.toLowerCase()}_${this.#counter++}`;
    const attribute = Object.entries(attrs).map(([name, i]) =>
      onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i })
    );
    this.#nodes.push(
      onnx.NodeProto.create({
        name: `${out}_node`,
        opType: type,
        input: inputs,
        output: [out],
        attribute,
      }),
    );
    return out;
  }

  /** Wraps everything into a `ModelProto` (IR version 8, opset {@link OPSET}). */
  finish(options: FinishOptions): OnnxModel {
    const graph = onnx.GraphProto.create({
      name: options.name,
      node: this.#nodes,
      initializer: this.#initializers,
      input: this.#inputs,
      output: this.#outputs,
    });
    return onnx.ModelProto.create({
      irVersion: 8,
      producerName: "sabiscore",
      producerVersion: "1",
      docString: options.doc ?? "",
      opsetImport: [{ domain: "", version: OPSET }],
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({
        key,
        value,
      })),
      graph,
    });
  }
}

/** Encodes a model as ONNX protobuf bytes, ready for a `.onnx` file or `InferenceSession`. */
export function serializeModel(model: OnnxModel): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}
