/** Types of scripts/shape.mjs (the tree's shape in numbers). */
export interface Shape {
  files: number;
  lines: number;
  longLines: { file: string; line: number; length: number }[];
  longShare: number;
  longFunctions: { file: string; line: number; lines: number; name: string }[];
  cycles: string[][];
  queryCalls: { file: string; line: number; call: string }[];
}
export function shape(root?: string, functionLimit?: number): Shape;
export function sourceFiles(root?: string): string[];
