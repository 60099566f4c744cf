/** Compressed sparse matrices: rows (the design matrix of the linear models) and columns. */

export interface Csr {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/**
 * The same matrix stored by column: `colptr[j]..colptr[j+1]` index the entries of column j, with
 * their rows in `rowIndices`. The training objectives walk it column by column, so they read and
 * write the weights in order and touch per-row numbers only (a few kilobytes, cache-resident) at
 * random.
 */
export interface Csc {
  rows: number;
  cols: number;
  colptr: Int32Array;
  rowIndices: Int32Array;
  values: Float64Array;
}

/**
 * X stored by column: into new arrays, or into the given ones (colptr zeroed, of X.cols + 1
 * entries; rowIndices and values of X's non-zeros), so a caller can place them where it works.
 */
export function toCsc(X: Csr, into?: Pick<Csc, 'colptr' | 'rowIndices' | 'values'>): Csc {
  const nnz = X.indptr[X.rows]!;
  const colptr = into?.colptr ?? new Int32Array(X.cols + 1);
  for (let p = 0; p < nnz; p++) colptr[X.indices[p]! + 1]!++;
  for (let j = 0; j < X.cols; j++) colptr[j + 1] = colptr[j + 1]! + colptr[j]!;
  const next = colptr.slice(0, X.cols);
  const rowIndices = into?.rowIndices ?? new Int32Array(nnz);
  const values = into?.values ?? new Float64Array(nnz);
  for (let i = 0; i < X.rows; i++) {
    for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) {
      const q = next[X.indices[p]!]!++;
      rowIndices[q] = i;
      values[q] = X.values[p]!;
    }
  }
  return { rows: X.rows, cols: X.cols, colptr, rowIndices, values };
}
