// Image files (PNG, JPEG) → the grey pixels the OCR path reads (pure). Ink is what is dark in every colour
// channel (the brightest channel is kept), so a red seal or a coloured cell shading reads as paper and black
// print as ink; transparency is laid on white. Sizes are checked from the header before any pixel is decoded.
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { GrayImage } from './ocrImage.ts';

/** Largest image decoded, in pixels (a page scanned at 600 dpi is 35 million). */
export const MAX_IMAGE_PIXELS = 40_000_000;

export type ImageKind = 'png' | 'jpeg';

export function imageKind(bytes: Uint8Array): ImageKind | null {
  if (bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return null;
}

/** Decode a PNG or JPEG to grey; throws an Error saying why an image cannot be read. */
export function decodeImage(bytes: Uint8Array): GrayImage {
  const kind = imageKind(bytes);
  if (!kind) throw new Error('not a PNG or JPEG image');
  let rgba: { width: number; height: number; data: Uint8Array };
  if (kind === 'png') {
    const width = (bytes[16] << 24) | (bytes[17] << 16) | (bytes[18] << 8) | bytes[19];
    const height = (bytes[20] << 24) | (bytes[21] << 16) | (bytes[22] << 8) | bytes[23];
    if (width * height > MAX_IMAGE_PIXELS || width <= 0 || height <= 0) throw new Error(`a ${width}×${height} image is over the ${MAX_IMAGE_PIXELS / 1e6} million pixel limit`);
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    rgba = { width: png.width, height: png.height, data: png.data };
  } else {
    rgba = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 1024 });
  }
  const data = new Uint8Array(rgba.width * rgba.height);
  for (let i = 0, p = 0; i < data.length; i++, p += 4) {
    const alpha = rgba.data[p + 3] / 255;
    const brightest = Math.max(rgba.data[p], rgba.data[p + 1], rgba.data[p + 2]);
    data[i] = Math.round(brightest * alpha + 255 * (1 - alpha));
  }
  return { width: rgba.width, height: rgba.height, data };
}
