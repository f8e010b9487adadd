/** One decoded uint8 image, rows of pixels with interleaved channels (height x width x channels). */
export interface HwcImage {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Length height*width*channels. */
  readonly data: Uint8Array;
}
