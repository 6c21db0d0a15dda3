/**
 * Writes a league model folder: the ONNX artefacts and a model card listing their sha256 and
 * sizes, the layout `server/ml/registry.ts` verifies.
 * @module
 */
import { type ModelCard, parseModelCard } from "../../server/ml/model_card.ts";
import { sha256Hex } from "../../server/ml/artefacts.ts";

/** A model card before its `files` checksums are known. */
export type CardDraft = Omit<ModelCard, "files">;

/**
 * Writes `artefacts` (file name -> bytes) and `model.json` into `folder` (created if needed),
 * validating the resulting card. Returns the card as written.
 */
export async function writeModelFolder(
  folder: string,
  draft: CardDraft,
  artefacts: Record<string, Uint8Array>,
): Promise<ModelCard> {
  const files: ModelCard["files"] = {};
  for (const [name, bytes] of Object.entries(artefacts)) {
    files[name] = { sha256: await sha256Hex(bytes), bytes: bytes.byteLength };
  }
  const card = parseModelCard({ ...draft, files });
  await Deno.mkdir(folder, { recursive: true });
  for (const [name, bytes] of Object.entries(artefacts)) {
    await Deno.writeFile(`${folder}/${name}`, bytes);
  }
  await Deno.writeTextFile(`${folder}/model.json`, JSON.stringify(card, null, 2) + "\n");
  return card;
}
