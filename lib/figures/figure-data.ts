/**
 * Figure data: the contract between results and pictures. A figure is plain JSON (plotly traces
 * and layout, a caption, and the result files it was built from), built by pure functions from
 * committed results; rendering to HTML and PNG is separate, and CI compares figure data, not pixels.
 */
export interface FigureData {
  id: string;
  title: string;
  caption: string;
  /** plotly traces */
  data: Record<string, unknown>[];
  /** plotly layout */
  layout: Record<string, unknown>;
  /** result files (relative to results/) the figure was built from */
  sources: string[];
}

export function axisLayout(title: string, x: string, y: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: { text: title },
    xaxis: { title: { text: x } },
    yaxis: { title: { text: y } },
    width: 760,
    height: 460,
    margin: { l: 70, r: 20, t: 50, b: 60 },
    legend: { orientation: 'v' },
    ...extra,
  };
}
