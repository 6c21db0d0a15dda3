/**
 * A league model as ONNX sessions: opening the sessions of a verified card, and releasing them.
 * @module
 */
import * as ort from "onnxruntime-node";
import type { ModelCard } from "./model_card.ts";

/** The ONNX sessions and card of one league, ready to run. */
export interface LoadedModel {
  card: ModelCard;
  scoreMatrix: ort.InferenceSession;
  classifiers: { fundamental: ort.InferenceSession; blend?: ort.InferenceSession };
}

/** Creates an ONNX session from verified model bytes. */
export type CreateSession = (bytes: Uint8Array) => Promise<ort.InferenceSession>;

/** Single-threaded `ort.InferenceSession.create` with no memory arena. */
export function defaultCreateSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  // Graphs are tiny: one thread avoids pool hand-offs that cost more than the maths. The
  // memory arena and memory patterns pre-allocate and keep buffers per session (24 sessions
  // with every league loaded) for tensors of a few hundred bytes: plain allocations are enough.
  return ort.InferenceSession.create(bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    enableCpuMemArena: false,
    enableMemPattern: false,
  });
}

/**
 * Opens the sessions of `card`, reading each file through `bytesOf`; if any fails, the ones
 * already opened are released before the error is thrown.
 */
export async function openModel(
  card: ModelCard,
  bytesOf: (file: string) => Promise<Uint8Array>,
  createSession: CreateSession,
): Promise<LoadedModel> {
  const sessions: ort.InferenceSession[] = [];
  const open = async (file: string) => {
    const session = await createSession(await bytesOf(file));
    sessions.push(session);
    return session;
  };
  try {
    return {
      card,
      scoreMatrix: await open(card.score_matrix.file),
      classifiers: {
        fundamental: await open(card.classifiers.fundamental.file),
        blend: card.classifiers.blend ? await open(card.classifiers.blend.file) : undefined,
      },
    };
  } catch (err) {
    await Promise.allSettled(sessions.map((s) => s.release()));
    throw err;
  }
}

/** Releases every session of `model`; failures are ignored (the session is gone either way). */
export async function releaseModel(model: LoadedModel): Promise<void> {
  const all = [model.scoreMatrix, model.classifiers.fundamental, model.classifiers.blend];
  await Promise.allSettled(all.map((s) => s?.release()));
}
