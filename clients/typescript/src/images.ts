/**
 * Images travel as raw bytes (flowexec.v1.Image); the editor shows them as data URLs or Blob URLs.
 * Uses only atob/btoa/Blob/URL, which browsers and Node ≥ 18 both have.
 */
import { create } from "@bufbuild/protobuf";
import { type Image, ImageSchema } from "./gen/flowexec/v1/graph_pb.js";

/** Anything with the shape of flowexec.v1.Image. */
export type ImageBytes = Pick<Image, "data" | "mimeType">;

const CHUNK = 0x8000; // String.fromCharCode(...bytes) overflows the call stack on large arrays

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

function mimeOf(image: ImageBytes): string {
  return image.mimeType || "application/octet-stream";
}

/** `data:<mime>;base64,…` — the form the editor's NodeOutput.image holds. */
export function imageToDataUrl(image: ImageBytes): string {
  return `data:${mimeOf(image)};base64,${toBase64(image.data)}`;
}

/** A Blob of the image (no base64 copy; cheaper than a data URL for large images). */
export function imageToBlob(image: ImageBytes): Blob {
  // Decoded bytes never live in a SharedArrayBuffer, which is all the cast rules out.
  return new Blob([image.data as Uint8Array<ArrayBuffer>], { type: mimeOf(image) });
}

/** An object URL for <img src>; release it with URL.revokeObjectURL when the image is gone. */
export function imageToBlobUrl(image: ImageBytes): string {
  return URL.createObjectURL(imageToBlob(image));
}

/** A data URL (or bare base64) → Image bytes, for sending cached outputs back to the server. */
export function dataUrlToImage(value: string): Image {
  let mimeType = "application/octet-stream";
  let payload = value;
  const comma = value.indexOf(",");
  if (value.startsWith("data:") && comma > 0) {
    const [mime, ...params] = value.slice(5, comma).split(";");
    mimeType = mime || mimeType;
    payload = value.slice(comma + 1);
    if (!params.includes("base64")) {
      // A percent-encoded data URL (e.g. an inline SVG).
      return create(ImageSchema, { data: new TextEncoder().encode(decodeURIComponent(payload)), mimeType });
    }
  }
  const binary = atob(payload);
  const data = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) data[i] = binary.charCodeAt(i);
  return create(ImageSchema, { data, mimeType });
}
