/// <reference lib="dom" />
/**
 * A uPlot chart in a Preact component: `make` builds the options and data for the box's width
 * (capped at 900 px), or null when there is nothing to draw; the chart is rebuilt when `deps`
 * change and destroyed with the component. Every dashboard chart draws through it.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export type ChartSpec = { opts: Omit<uPlot.Options, 'width'>; data: uPlot.AlignedData } | null;

export function useUplot(make: () => ChartSpec, deps: unknown[]) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const spec = box.current ? make() : null;
    if (!box.current || !spec) return;
    const width = Math.min(box.current.clientWidth || 640, 900);
    const plot = new uPlot({ ...spec.opts, width }, spec.data, box.current);
    return () => plot.destroy();
  }, deps);
  return box;
}
